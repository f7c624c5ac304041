DROP TABLE session_roles;
