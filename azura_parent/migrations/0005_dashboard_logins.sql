-- Dashboard logins, kept so a restart of the parent (every deploy) does not log everyone out. A row is keyed by
-- the SHA-256 of the session id the browser's signed cookie carries (the id itself is never stored), and holds
-- what the dashboard read from Discord at login: the user, their language and their servers' ids (a JSON list).
-- Discord's OAuth2 access token is not kept anywhere: it is dropped once the login has read the user.

CREATE TABLE dashboard_logins (
    session_hash TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    locale       TEXT    NOT NULL,
    guild_ids    TEXT    NOT NULL,
    csrf         TEXT    NOT NULL,
    expires      REAL    NOT NULL
);

CREATE INDEX dashboard_logins_expires ON dashboard_logins (expires);
