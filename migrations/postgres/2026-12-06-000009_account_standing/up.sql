-- An admin may suspend an account (it cannot sign in, its sessions end) and verify that
-- its holder speaks for the organisation they name (a badge beside their inputs).
ALTER TABLE users ADD COLUMN suspended_at TIMESTAMP;
ALTER TABLE users ADD COLUMN organization_verified_at TIMESTAMP;
