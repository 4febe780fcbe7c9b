// Package backup takes verified PostgreSQL backups of the planner database
// through the db container (pg_dump over a Docker exec, streamed straight to
// a file) and restores them with psql in one transaction. A dump is only
// ever called a backup after pg_dump exited 0, the file was synced, and its
// completion marker (and \restrict key, pg 15.14+) were checked. Drill
// restores a dump into a throw-away planner_drill_* database on the same
// server to prove it restores, and always drops it.
package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"time"
)

// Result describes a backup file.
type Result struct {
	Path     string
	Size     int64
	SHA256   string // hex
	Verified bool
	Duration time.Duration
	// Check says what verification established, for the audit record, e.g.
	// "complete marker and \restrict key matched".
	Check string
}

const (
	completeMarker = "-- PostgreSQL database dump complete"
	headerMarker   = "-- PostgreSQL database dump"
	headSize       = 8 << 10 // \restrict is within the first few lines
	tailSize       = 1 << 10 // the marker and \unrestrict are in the last KB
)

// ErrIncomplete is wrapped by verification failures: the file is not a
// complete plain-format pg_dump.
var ErrIncomplete = errors.New("not a complete pg_dump")

// Verify checks a plain-format dump file: the pg_dump header at the top, the
// "-- PostgreSQL database dump complete" marker in the last KB, and, when the
// dump has a `\restrict KEY` line near the top (pg_dump 15.14 and later), a
// matching `\unrestrict KEY` at the end. Dumps from older pg_dump versions
// have neither; the marker alone is then accepted and Check says so. The
// file is read once, for the SHA-256.
func Verify(path string) (Result, error) {
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return Result{Path: path}, fmt.Errorf("verify backup: %w", err)
	}
	defer f.Close()
	s := newSummer()
	n, err := io.CopyBuffer(s, f, make([]byte, 1<<20))
	if err != nil {
		return Result{Path: path}, fmt.Errorf("verify backup %s: %w", path, err)
	}
	r := Result{Path: path, Size: n, SHA256: s.sum(), Duration: time.Since(start)}
	check, err := s.verify()
	if err != nil {
		return r, fmt.Errorf("backup %s: %w", path, err)
	}
	r.Verified, r.Check = true, check
	return r, nil
}

// summer hashes everything written to it and keeps the head and the tail
// of the stream, so a dump can be verified as it is written, without a
// second read.
type summer struct {
	h    hash.Hash
	n    int64
	head []byte
	tail []byte // ring kept as a sliding window of the last tailSize bytes
}

func newSummer() *summer {
	return &summer{h: sha256.New(), head: make([]byte, 0, headSize), tail: make([]byte, 0, 2*tailSize)}
}

func (s *summer) Write(p []byte) (int, error) {
	s.h.Write(p)
	s.n += int64(len(p))
	if room := headSize - len(s.head); room > 0 {
		s.head = append(s.head, p[:min(room, len(p))]...)
	}
	if len(p) >= tailSize {
		s.tail = append(s.tail[:0], p[len(p)-tailSize:]...)
	} else {
		s.tail = append(s.tail, p...)
		if len(s.tail) > tailSize {
			// Slide: keep the last tailSize bytes (cheap, amortised by the
			// 2x capacity; large writes take the branch above).
			s.tail = append(s.tail[:0], s.tail[len(s.tail)-tailSize:]...)
		}
	}
	return len(p), nil
}

func (s *summer) sum() string { return hex.EncodeToString(s.h.Sum(nil)) }

// verify applies the checks described at Verify to the head and tail seen.
func (s *summer) verify() (string, error) {
	if s.n == 0 {
		return "", fmt.Errorf("%w: the file is empty", ErrIncomplete)
	}
	if !bytes.Contains(s.head, []byte(headerMarker)) {
		return "", fmt.Errorf("%w: no %q header at the top", ErrIncomplete, headerMarker)
	}
	if !bytes.Contains(s.tail, []byte(completeMarker)) {
		return "", fmt.Errorf("%w: no %q in the last KB (truncated?)", ErrIncomplete, completeMarker)
	}
	key, ok := restrictKey(s.head, `\restrict `)
	if !ok {
		if _, has := restrictKey(s.tail, `\unrestrict `); has {
			return "", fmt.Errorf("%w: \\unrestrict at the end but no \\restrict at the top", ErrIncomplete)
		}
		return "complete marker only (no \\restrict key: pg_dump older than 15.14)", nil
	}
	end, ok := restrictKey(s.tail, `\unrestrict `)
	if !ok {
		return "", fmt.Errorf("%w: \\restrict %s at the top but no \\unrestrict at the end", ErrIncomplete, key)
	}
	if end != key {
		return "", fmt.Errorf("%w: \\restrict key %s does not match \\unrestrict key %s", ErrIncomplete, key, end)
	}
	return "complete marker and \\restrict key matched", nil
}

// restrictKey finds a line starting with prefix and returns the rest of it.
func restrictKey(b []byte, prefix string) (string, bool) {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if bytes.HasPrefix(line, []byte(prefix)) {
			key := string(bytes.TrimSpace(line[len(prefix):]))
			return key, key != ""
		}
	}
	return "", false
}
