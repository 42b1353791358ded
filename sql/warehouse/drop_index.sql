-- An index dropped in the caller's transaction (staging/conform.py rebuilds it before commit).
DROP INDEX {index}
