-- A server that never chose an idle timeout stores NULL, so the bot-wide default (AZURA_IDLE_TIMEOUT_S)
-- applies to it, and a server that chooses exactly 300 s keeps its own choice. SQLite cannot relax a
-- NOT NULL column in place, so the table is rebuilt; rows that still hold the old default become NULL.

CREATE TABLE guild_settings_v2 (
    guild_id       INTEGER PRIMARY KEY,
    dj_role_id     INTEGER,
    always_on      INTEGER NOT NULL DEFAULT 0 CHECK (always_on IN (0, 1)),
    idle_timeout_s INTEGER          CHECK (idle_timeout_s IS NULL OR idle_timeout_s BETWEEN 30 AND 86400)
);

INSERT INTO guild_settings_v2 (guild_id, dj_role_id, always_on, idle_timeout_s)
SELECT guild_id, dj_role_id, always_on, NULLIF(idle_timeout_s, 300) FROM guild_settings;

DROP TABLE guild_settings;

ALTER TABLE guild_settings_v2 RENAME TO guild_settings;
