package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// dump builds a plain pg_dump-shaped file: header, optional \restrict key,
// a body of n rows, the completion marker and optional \unrestrict key.
func dump(restrict, unrestrict string, rows int) []byte {
	var b bytes.Buffer
	b.WriteString("--\n-- PostgreSQL database dump\n--\n\n")
	if restrict != "" {
		b.WriteString(`\restrict ` + restrict + "\n\n")
	}
	b.WriteString("SET statement_timeout = 0;\nCOPY public.t (id, name) FROM stdin;\n")
	for i := 0; i < rows; i++ {
		b.WriteString("1\tsome row text that fills the file\n")
	}
	b.WriteString("\\.\n\n--\n-- PostgreSQL database dump complete\n--\n\n")
	if unrestrict != "" {
		b.WriteString(`\unrestrict ` + unrestrict + "\n\n")
	}
	return b.Bytes()
}

func TestVerify(t *testing.T) {
	full := dump("abc123", "abc123", 5000)
	tests := []struct {
		name      string
		data      []byte
		wantErr   string
		wantCheck string
	}{
		{"complete with matching keys", full, "", "key matched"},
		{"complete, pre-15.14 (no keys)", dump("", "", 100), "", "marker only"},
		{"truncated in the body", full[:len(full)/2], "truncated", ""},
		{"truncated just before the key", full[:len(full)-len("abc123\n\n")], "no \\unrestrict", ""},
		{"key mismatch", dump("abc123", "zzz999", 10), "does not match", ""},
		{"unrestrict without restrict", dump("", "abc123", 10), "no \\restrict at the top", ""},
		{"empty", nil, "empty", ""},
		{"not a dump", []byte("OCI runtime exec failed: exec: \"pg_dump\": executable file not found in $PATH\n"), "header", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "b.sql")
			if err := os.WriteFile(p, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			r, err := Verify(p)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrIncomplete) {
					t.Fatalf("err = %v, want ErrIncomplete containing %q", err, tt.wantErr)
				}
				if r.Verified {
					t.Error("a failed verification reported Verified")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := sha256.Sum256(tt.data)
			if !r.Verified || r.Size != int64(len(tt.data)) || r.SHA256 != hex.EncodeToString(want[:]) || !strings.Contains(r.Check, tt.wantCheck) {
				t.Errorf("got %+v, want verified, size %d, sha %x, check ~%q", r, len(tt.data), want, tt.wantCheck)
			}
		})
	}
	if _, err := Verify(filepath.Join(t.TempDir(), "missing.sql")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: err = %v", err)
	}
}

// The streaming summer must see the same head and tail whatever the write
// sizes (the exec stream delivers frames of any size).
func TestSummerWriteSizes(t *testing.T) {
	data := dump("k1", "k1", 3000)
	for _, size := range []int{1, 7, 100, 1023, 1024, 1025, 4096, 1 << 20} {
		s := newSummer()
		for p := data; len(p) > 0; {
			n := min(size, len(p))
			s.Write(p[:n])
			p = p[n:]
		}
		if check, err := s.verify(); err != nil || !strings.Contains(check, "matched") {
			t.Errorf("write size %d: %q, %v", size, check, err)
		}
		if !bytes.Equal(s.tail, data[len(data)-tailSize:]) {
			t.Errorf("write size %d: tail differs", size)
		}
	}
}

func TestBracketed(t *testing.T) {
	b := &bracketed{body: strings.NewReader("SELECT 1;\n")}
	got, err := io.ReadAll(iotest.OneByteReader(b))
	if err != nil || string(got) != "BEGIN;\nSELECT 1;\n\nCOMMIT;\n" || !b.committed {
		t.Fatalf("got %q, %v, committed %v", got, err, b.committed)
	}
	// A body that fails must never be followed by COMMIT.
	boom := errors.New("disk gone")
	b = &bracketed{body: io.MultiReader(strings.NewReader("INSERT ...;\n"), iotest.ErrReader(boom))}
	got, err = io.ReadAll(b)
	if !errors.Is(err, boom) || strings.Contains(string(got), "COMMIT") || b.committed {
		t.Fatalf("failing body: got %q, %v, committed %v", got, err, b.committed)
	}
}

func TestPgError(t *testing.T) {
	tests := []struct{ in, want string }{
		{"pg_dump: error: connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: FATAL:  database \"nope\" does not exist\n", `database "nope" does not exist`},
		{"psql:<stdin>:12: ERROR:  relation \"x\" does not exist\nLINE 1: SELECT * FROM x;\n                      ^\n", `relation "x" does not exist`},
		{"pg_dump: error: something else\n", "something else"},
		{"", "(no error output)"},
	}
	for _, tt := range tests {
		if got := pgError(tt.in); got != tt.want {
			t.Errorf("pgError(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCheckName(t *testing.T) {
	for _, bad := range []string{"", "../x", "a/b", ".hidden", "x\x00"} {
		if checkName(bad) == nil {
			t.Errorf("checkName(%q) accepted", bad)
		}
	}
	if err := checkName("backup_20250101_120000"); err != nil {
		t.Error(err)
	}
}
