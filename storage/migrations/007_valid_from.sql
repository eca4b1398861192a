-- A membership statement's validFrom (issue 8): a member is not active before it, on the hub as on
-- the client. NULL for rows enrolled before this column (their statements were active at once).
ALTER TABLE members ADD COLUMN valid_from TEXT;
