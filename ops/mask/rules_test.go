package mask

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Secrets nobody named are masked by their shape: JSON and form fields
// named like secrets, bearer tokens.
func TestRulesMaskUnnamedSecrets(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"access_token":"abc123secretvalue","token_type":"bearer","expires_in":3600}`,
			`{"access_token":"***","token_type":"bearer","expires_in":3600}`},
		{`{"refresh_token": "r-tok-1", "user": "ann"}`, `{"refresh_token": "***", "user": "ann"}`},
		{`  "password" : "p\"w\\d",`, `  "password" : "***",`},
		{`{"client_secret":"cs-1","api_key":"ak-1","apiKey":"ak-2","accessToken":"at-1","token":"t-1234"}`,
			`{"client_secret":"***","api_key":"***","apiKey":"***","accessToken":"***","token":"***"}`},
		{`{"secret":"s-1","db_password":"d-1","privateKey":"pk-1"}`, `{"secret":"***","db_password":"***","privateKey":"***"}`},
		{`{"password_changed_at":"2024-01-01","token_count":"3","author":"x"}`, `{"password_changed_at":"2024-01-01","token_count":"3","author":"x"}`},
		{"Authorization: Bearer eyJhbGciOi.eyJzdWIi.SflKxwRJ\n", "Authorization: Bearer ***\n"},
		{`curl -H "authorization: bearer abc123secretvalue" x`, `curl -H "authorization: bearer ***" x`},
		{"a Bearer of bad news", "a Bearer of bad news"},
		{"> Authorization: Basic dXNlcjpwYXNzd29yZA==\r\n", "> Authorization: Basic ***\r\n"},
		{"basic auth is not used", "basic auth is not used"},
		{`echo "{\"access_token\":\"abc123secretvalue\"}"`, `echo "{\"access_token\":\"***\"}"`},
		{`"{\"password\": \"pw-1\", \"user\": \"ann\"}"`, `"{\"password\": \"***\", \"user\": \"ann\"}"`},
		{"POST /login?username=ann&password=hunter22&next=/", "POST /login?username=ann&password=***&next=/"},
		{"grant_type=refresh_token&refresh_token=rt-99 done", "grant_type=refresh_token&refresh_token=*** done"},
		{"POSTGRES_PASSWORD=<hidden, 12 characters>", "POSTGRES_PASSWORD=<hidden, 12 characters>"},
		{`sed -i "s/^SECRET_KEY=.*/SECRET_KEY=$(head -c 32 /dev/urandom)/" .env`, `sed -i "s/^SECRET_KEY=.*/SECRET_KEY=$(head -c 32 /dev/urandom)/" .env`},
		{"db_password=pw-1 api_key=k-1", "db_password=*** api_key=***"},
		{"no secrets: tokens, passwords and keys are words", "no secrets: tokens, passwords and keys are words"},
		{"DATABASE_URL=postgresql://planner:dsn-pw-1@db:5432/planner", "DATABASE_URL=postgresql://planner:***@db:5432/planner"},
		{"token: " + testJWT + "\n", "token: ***\n"},
		{testJWT, "***"},
		{`{"id_token_hint":"x","jwt":"` + testJWT + `"}`, `{"id_token_hint":"x","jwt":"***"}`},
		{"X-Auth: " + testJWT + "; next", "X-Auth: ***; next"},
		{"eyJ is how base64 of {\" starts; eyJhbGciOi.eyJzdWIi.SflKxwRJ is too short", "eyJ is how base64 of {\" starts; eyJhbGciOi.eyJzdWIi.SflKxwRJ is too short"},
		{"src/eyJabcdefghijk.eyJabcdefghijk.py", "src/eyJabcdefghijk.eyJabcdefghijk.py"},
		{"aeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV", "aeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV"},
		{"redis://:redis-pw-2@redis:6379/0 and http://host:8080/path and mailto:x@y", "redis://:***@redis:6379/0 and http://host:8080/path and mailto:x@y"},
	}
	m := New(nil)
	for _, tt := range tests {
		if got := m.String(tt.in); got != tt.want {
			t.Errorf("String(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// The rules hold for a stream split anywhere: at every byte offset, at two
// offsets, and one byte at a time; with and without known secrets.
func TestRulesStreamingSplits(t *testing.T) {
	texts := []string{
		`{"access_token":"abc123secretvalue","token_type":"bearer"}` + "\n",
		`{"access_token": "abc123secretvalue"}`, // no final newline: Flush decides
		"Authorization: Bearer abc123secretvalue\nnext line\n",
		"curl -H 'Authorization: Bearer abc123secretvalue'",
		"password=abc123secretvalue&x=1\n",
		`{"password":"abc123\"secretvalue"}` + "\n",
		`echo "{\"access_token\":\"abc123secretvalue\"}"` + "\n",
		"connecting to postgres://planner:abc123secretvalue@db:5432/x\n",
		"> authorization: basic abc123secretvalue==\n",
		// A bare JWT, longer than maxWord, alone and after other text.
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhYmMxMjNzZWNyZXR2YWx1ZSIsImlhdCI6MTUxNjIzOTAyMn0.abc123secretvalue_abc123secretvalue-xyz\n",
		"id: eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhYmMxMjNzZWNyZXR2YWx1ZSIsImlhdCI6MTUxNjIzOTAyMn0.abc123secretvalue_abc123secretvalue-xyz",
	}
	leaks := []string{"abc123secretvalue", "abc123", "secretvalue", "eyJzdWIiOiJhYmMx"}
	for _, secrets := range [][]string{nil, {"other-known-secret"}} {
		m := New(secrets)
		for _, text := range texts {
			want := m.String(text)
			for _, l := range leaks {
				if strings.Contains(want, l) {
					t.Fatalf("String(%q) = %q leaks %q", text, want, l)
				}
			}
			check := func(how string, chunks [][]byte) {
				t.Helper()
				var buf bytes.Buffer
				w := m.Writer(&buf)
				for _, c := range chunks {
					w.Write(c)
				}
				if err := w.Flush(); err != nil {
					t.Fatal(err)
				}
				if buf.String() != want {
					t.Errorf("%s of %q (secrets %q):\n got %q\nwant %q", how, text, secrets, buf.String(), want)
				}
			}
			b := []byte(text)
			for i := 0; i <= len(b); i++ {
				check("split at "+itoa(i), [][]byte{b[:i], b[i:]})
				for j := i; j <= len(b); j += 5 {
					check("split at "+itoa(i)+","+itoa(j), [][]byte{b[:i], b[i:j], b[j:]})
				}
			}
			var bytewise [][]byte
			for i := range b {
				bytewise = append(bytewise, b[i:i+1])
			}
			check("byte by byte", bytewise)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// testJWT is jwt.io's example token (HS256, "John Doe").
const testJWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

// The base64 of a secret as `base64` prints it (wrapped at 76 columns) is
// masked, as is openssl's 64-column wrap.
func TestBase64WrappedMasked(t *testing.T) {
	secret := "a-long-database-password-of-the-kind-generated-by-openssl-rand-0123456789"
	m := New([]string{secret})
	out, err := exec.Command("bash", "-c", `printf %s "$1" | base64 -w 76; printf %s "$1" | base64 -w 64`, "bash", secret).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "\n") || strings.Count(string(out), "\n") < 4 {
		t.Fatalf("base64 did not wrap: %q", out)
	}
	var buf bytes.Buffer
	w := m.Writer(&buf)
	for i := 0; i < len(out); i += 7 {
		w.Write(out[i:min(i+7, len(out))])
	}
	w.Flush()
	got := buf.String()
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if len(line) >= 8 && strings.Contains(got, line) {
			t.Errorf("a line of the wrapped base64 shows: %q in\n%s", line, got)
		}
	}
	if strings.Contains(got, base64.StdEncoding.EncodeToString([]byte(secret))[:20]) {
		t.Errorf("base64 shows: %s", got)
	}
}

// Ordinary output is not held back by the rules: a complete line goes out
// at once, and so does an unfinished line that cannot start a match.
func TestRulesDoNotHoldOrdinaryOutput(t *testing.T) {
	tests := []struct{ in, want string }{
		{"waiting for db...\n", "waiting for db...\n"},
		{"progress 50% ", "progress 50% "},
		{"1\n2\n3\n12", "1\n2\n3\n12"},
		{`{"status":"ok"}` + "\n" + `{"access_token":"abc`, `{"status":"ok"}` + "\n{"},
		{"Authorization: Bearer abc", "Authorization: "},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		w := New(nil).Writer(&buf)
		w.Write([]byte(tt.in))
		if buf.String() != tt.want {
			t.Errorf("before Flush, %q gave %q, want %q", tt.in, buf.String(), tt.want)
		}
	}
}

// Random output built from the rules' pieces, cut into random reads,
// never shows a value more often than String of the whole text does. (It
// may mask more: where a read starts changes which quote opens a field.)
func TestRulesRandomChunking(t *testing.T) {
	pieces := []string{`"access_token":"`, `"token": "`, `\"password\":\"`, `"`, `\"`, "Bearer ", "bearer\t", "Authorization: ",
		"password=", "api_key=", "&", " ", "\n", "abc123secretvalue", "postgres://u:", "://", "@", "Authorization: Basic ", "k3y", "tok", "x", "known-secret-1", "=", ":"}
	m := New([]string{"known-secret-1"})
	r := rand.New(rand.NewPCG(5, 6))
	for iter := 0; iter < 2000; iter++ {
		var sb strings.Builder
		for n := r.IntN(14); n >= 0; n-- {
			sb.WriteString(pieces[r.IntN(len(pieces))])
		}
		text := sb.String()
		want := m.String(text)
		var buf bytes.Buffer
		w := m.Writer(&buf)
		for rest := text; len(rest) > 0; {
			n := 1 + r.IntN(len(rest))
			w.Write([]byte(rest[:n]))
			rest = rest[n:]
		}
		w.Flush()
		for _, v := range []string{"abc123secretvalue", "known-secret-1"} {
			if strings.Count(buf.String(), v) > strings.Count(want, v) {
				t.Fatalf("text %q:\n stream %q\n String %q", text, buf.String(), want)
			}
		}
	}
}

// A match that starts further back than the context a Writer keeps (a
// long field name with a digit where the context would begin) is found
// again the same when the rest of the line comes. Found by
// TestRulesRandomChunking.
func TestRulesMatchLongerThanContext(t *testing.T) {
	text := "=abc123secretvalueapi_key=abc123secretvalue&"
	m := New([]string{"known-secret-1"})
	want := m.String(text)
	if !strings.Contains(want, "api_key=***&") {
		t.Fatalf("String = %q", want)
	}
	for i := 0; i <= len(text); i++ {
		var buf bytes.Buffer
		w := m.Writer(&buf)
		w.Write([]byte(text[:i]))
		w.Write([]byte(text[i:]))
		w.Flush()
		if buf.String() != want {
			t.Errorf("split at %d: %q, want %q", i, buf.String(), want)
		}
	}
}
