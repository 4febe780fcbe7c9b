package checklist

// Risk is how much harm a command can do.
type Risk int

const (
	// Safe commands only read.
	Safe Risk = iota
	// Change commands mutate something recoverable (pull, build, up,
	// upgrade); they ask y/N.
	Change
	// Destructive commands destroy something (down, restore, downgrade,
	// prune, delete, secret rotation); they need a typed phrase.
	Destructive
)
