package mask

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	const pw = "s3cr3t/p@ss+word"
	m := New([]string{pw, "abc", "line-one\nline-two"})
	tests := []struct {
		name, in, want string
	}{
		{"plain", "password is " + pw + ".", "password is ***."},
		{"twice", pw + " " + pw, "*** ***"},
		{"query escaped", "postgres://u:" + url.QueryEscape(pw) + "@db/x", "postgres://u:***@db/x"},
		{"path escaped", "/x/" + url.PathEscape(pw) + "/y", "/x/***/y"},
		{"json", `{"p":` + jsonString(pw) + `}`, `{"p":"***"}`},
		{"base64 alone", "echo " + base64.StdEncoding.EncodeToString([]byte(pw)), "echo ***"},
		{"base64 url", base64.URLEncoding.EncodeToString([]byte(pw)), "***"},
		{"short value ignored", "abc abc", "abc abc"},
		{"each line of multi-line", "got line-two here", "got *** here"},
		{"no secret", "nothing to see", "nothing to see"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.String(tt.in); got != tt.want {
				t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if got := string(m.Bytes([]byte(tt.in))); got != tt.want {
				t.Errorf("Bytes(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// A secret inside a larger base64 blob, at every alignment, must not be
// decodable from the masked output.
func TestBase64Embedded(t *testing.T) {
	const pw = "correct-horse-battery"
	m := New([]string{pw})
	for shift := 0; shift < 6; shift++ {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding} {
			blob := strings.Repeat("x", shift) + "user:" + pw + ":tail-of-the-message"
			out := m.String(enc.EncodeToString([]byte(blob)))
			if !strings.Contains(out, Replacement) {
				t.Errorf("shift %d: %q not masked", shift, out)
			}
			for _, part := range strings.Split(out, Replacement) {
				for _, try := range []string{part, part + "=", part + "=="} {
					if dec, err := enc.DecodeString(try); err == nil && strings.Contains(string(dec), pw) {
						t.Errorf("shift %d: secret decodable from %q", shift, out)
					}
				}
			}
		}
	}
}

func TestOverlappingSecretsMergeIntoOneMask(t *testing.T) {
	m := New([]string{"abcdef", "efghij"})
	if got := m.String("<abcdefghij>"); got != "<***>" {
		t.Errorf("got %q", got)
	}
}

// Feeding the writer in every possible split (and byte by byte) must give
// the same output as masking the whole text at once.
func TestWriterSplits(t *testing.T) {
	secrets := []string{"abcdef", "efghij", "hunter22", "Zm9vYmFy-secret"}
	m := New(secrets)
	texts := []string{
		"start abcdefghij end",
		"hunter22hunter22 and abcdef",
		"x" + base64.StdEncoding.EncodeToString([]byte("..hunter22..")) + "y",
		"no secrets here at all, just text that is long enough",
		"efghi abcde hunter2 near misses",
	}
	for _, text := range texts {
		want := m.String(text)
		if strings.Contains(want, "hunter22") || strings.Contains(want, "abcdef") {
			t.Fatalf("String leaked: %q", want)
		}
		for split := 0; split <= len(text); split++ {
			var buf bytes.Buffer
			w := m.Writer(&buf)
			w.Write([]byte(text[:split]))
			w.Write([]byte(text[split:]))
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if buf.String() != want {
				t.Errorf("split %d of %q: got %q, want %q", split, text, buf.String(), want)
			}
		}
		var buf bytes.Buffer
		w := m.Writer(&buf)
		for i := range len(text) {
			w.Write([]byte{text[i]})
		}
		w.Flush()
		if buf.String() != want {
			t.Errorf("byte by byte %q: got %q, want %q", text, buf.String(), want)
		}
	}
}

// Random streams with random chunking never leak a secret.
func TestWriterRandomNeverLeaks(t *testing.T) {
	secrets := []string{"abab", "babb", "aabba"}
	m := New(secrets)
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 2000; iter++ {
		text := make([]byte, r.IntN(60))
		for i := range text {
			text[i] = "ab*"[r.IntN(3)]
		}
		var buf bytes.Buffer
		w := m.Writer(&buf)
		for rest := text; len(rest) > 0; {
			n := 1 + r.IntN(len(rest))
			w.Write(rest[:n])
			rest = rest[n:]
		}
		w.Flush()
		// Masks are "***"; a leaked secret would show as a run of a/b
		// containing it.
		for _, run := range strings.FieldsFunc(buf.String(), func(c rune) bool { return c == '*' }) {
			for _, s := range secrets {
				if strings.Contains(run, s) {
					t.Fatalf("text %q masked to %q leaks %q", text, buf.String(), s)
				}
			}
		}
	}
}

func TestWriterNoSecretsPassesThrough(t *testing.T) {
	m := New(nil)
	if !m.Empty() {
		t.Fatal("New(nil) not empty")
	}
	var got [][]byte
	w := m.Writer(writerFunc(func(p []byte) (int, error) { got = append(got, p); return len(p), nil }))
	in := []byte("hello\n")
	w.Write(in)
	if len(got) != 1 || &got[0][0] != &in[0] {
		t.Errorf("expected the caller's slice passed through unchanged")
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestWriterError(t *testing.T) {
	m := New([]string{"secret-value"})
	w := m.Writer(writerFunc(func(p []byte) (int, error) { return 0, io.ErrClosedPipe }))
	if _, err := w.Write(bytes.Repeat([]byte("x"), 100)); err == nil {
		t.Fatal("expected the write error")
	}
	if err := w.Flush(); err == nil {
		t.Fatal("expected the error again on Flush")
	}
}

func BenchmarkMaskWriter(b *testing.B) {
	chunk := make([]byte, 64<<10)
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 \n=:/-"
	for i := range chunk {
		chunk[i] = alphabet[r.IntN(len(alphabet))]
	}
	copy(chunk[1000:], "password=Tr0ub4dor&3")
	for _, n := range []int{0, 3} {
		secrets := []string{"Tr0ub4dor&3", "postgres-superuser-pw", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"}[:n]
		b.Run(fmt.Sprintf("secrets=%d", n), func(b *testing.B) {
			w := New(secrets).Writer(io.Discard)
			b.SetBytes(int64(len(chunk)))
			for b.Loop() {
				w.Write(chunk)
			}
			w.Flush()
		})
	}
}

// A complete line is written at once; only an unfinished line that may
// start a secret is held back.
func TestWriterReleasesCompleteLines(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string // written before Flush
	}{
		{"complete line", []string{"a-long-secret-value"}, "waiting for db...\npartial a-long", "waiting for db...\n"},
		{"secret read from a file, trailing newline", []string{"a-long-secret-value\n"}, "a-long-secret-value\npartial", "***\n"},
		{"carriage return", []string{"a-long-secret-value"}, "progress 10%\rprogress 20%", "progress 10%\r"},
		{"secret with short lines holds back", []string{"ab\ncd\nef"}, "0123456789abcdef\nxx", "01234567"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		w := New(tt.secrets).Writer(&buf)
		w.Write([]byte(tt.in))
		if buf.String() != tt.want {
			t.Errorf("%s: before Flush got %q, want %q", tt.name, buf.String(), tt.want)
		}
	}
}
