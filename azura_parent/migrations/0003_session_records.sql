-- Every session's record (queue, position checkpoint, volume, repeat, pause, which bot plays it), kept so a
-- crash or a restart of any process restores the music where it was. One row per voice channel; the record
-- itself is JSON (it is read back whole, never queried by field).

CREATE TABLE session_records (
    channel_id INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    bot_id     INTEGER NOT NULL,
    record     TEXT    NOT NULL,
    updated_ms INTEGER NOT NULL
);
