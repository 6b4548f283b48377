-- What the server did with an action, as the user was told it (a timed ignore may have become a
-- permanent one).
ALTER TABLE actions ADD COLUMN outcome TEXT;
