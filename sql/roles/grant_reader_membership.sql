-- The reader gets the group's privileges (and only those: see select_reader_excess).
GRANT {group} TO {reader}
