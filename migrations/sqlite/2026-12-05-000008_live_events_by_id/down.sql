-- Old events cannot be given back their people: nothing to undo.
SELECT 1;
