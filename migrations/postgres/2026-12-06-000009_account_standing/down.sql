ALTER TABLE users DROP COLUMN organization_verified_at;
ALTER TABLE users DROP COLUMN suspended_at;
