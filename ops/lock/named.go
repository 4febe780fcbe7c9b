package lock

import (
	"encoding/json"
	"os"
)

// Named is who the lock file at path names, read without taking the lock
// (a watcher must not make a real Acquire retry): false when the file is
// missing or empty (Release truncates it) or unreadable. A holder killed
// with -9 leaves its name behind; the caller decides whether it still runs.
func Named(path string) (Holder, bool) {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return Holder{}, false
	}
	var h Holder
	if err := json.Unmarshal(b, &h); err != nil {
		return Holder{}, false
	}
	return h, true
}
