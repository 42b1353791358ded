-- The planner's join methods back to the session's settings after `prefer_key_lookups`.
RESET enable_hashjoin;
RESET enable_mergejoin;
