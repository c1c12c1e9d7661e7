-- The parent bot's first schema: per-user and per-guild settings, and playlists with their entries.
-- Applied in one transaction by azura_parent.db; never edit an applied migration, add a new file instead.

CREATE TABLE user_settings (
    user_id      INTEGER PRIMARY KEY,
    enqueue_mode TEXT    NOT NULL DEFAULT 'fifo'
                         CHECK (enqueue_mode IN ('fifo', 'lifo', 'random', 'interlace')),
    volume_step  INTEGER NOT NULL DEFAULT 10 CHECK (volume_step BETWEEN 1 AND 100),
    last_volume  INTEGER          CHECK (last_volume IS NULL OR last_volume BETWEEN 0 AND 1000)
);

CREATE TABLE guild_settings (
    guild_id       INTEGER PRIMARY KEY,
    dj_role_id     INTEGER,
    always_on      INTEGER NOT NULL DEFAULT 0 CHECK (always_on IN (0, 1)),
    idle_timeout_s INTEGER NOT NULL DEFAULT 300 CHECK (idle_timeout_s BETWEEN 30 AND 86400)
);

CREATE TABLE playlists (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id   INTEGER NOT NULL,
    name       TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    name_key   TEXT    NOT NULL,  -- casefolded name: uniqueness and prefix search ignore case
    visibility TEXT    NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'public', 'global')),
    created_at REAL    NOT NULL,  -- unix seconds
    UNIQUE (owner_id, name_key)
);

CREATE INDEX playlists_by_visibility ON playlists (visibility, name_key);

CREATE TABLE playlist_entries (
    id          INTEGER PRIMARY KEY,
    playlist_id INTEGER NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,  -- 1-based, contiguous within a playlist
    encoded     TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    author      TEXT    NOT NULL DEFAULT '',
    uri         TEXT    NOT NULL DEFAULT '',
    length_ms   INTEGER NOT NULL DEFAULT 0,
    identifier  TEXT    NOT NULL DEFAULT '',
    source      TEXT    NOT NULL DEFAULT '',
    artwork_url TEXT    NOT NULL DEFAULT '',
    is_stream   INTEGER NOT NULL DEFAULT 0 CHECK (is_stream IN (0, 1)),
    start_ms    INTEGER NOT NULL DEFAULT 0 CHECK (start_ms >= 0),
    end_ms      INTEGER          CHECK (end_ms IS NULL OR end_ms > start_ms)
);

CREATE UNIQUE INDEX playlist_entries_by_position ON playlist_entries (playlist_id, position);
