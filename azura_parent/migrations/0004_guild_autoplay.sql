-- Autoplay by default: whether a server's new sessions start with autoplay on (/server autoplay). Off until a
-- server chooses it. ADD COLUMN with a constant default keeps every existing row, on both engines.

ALTER TABLE guild_settings ADD COLUMN autoplay INTEGER NOT NULL DEFAULT 0 CHECK (autoplay IN (0, 1));
