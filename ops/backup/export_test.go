package backup

// Load is the unguarded load, for the tests of its transaction handling.
var Load = load
