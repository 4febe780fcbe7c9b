package backup

import (
	"reflect"
	"testing"
)

func TestCopyCounter(t *testing.T) {
	dump := "--\n-- PostgreSQL database dump\n--\n" +
		"CREATE TABLE public.users (id int);\n" +
		"COPY public.users (id, name) FROM stdin;\n1\tann\n2\tbob\n\\.\n\n" +
		"COPY public.\"Odd \"\"Name\"\"\" (id) FROM stdin;\n7\n\\.\n" +
		"COPY public.empty (id) FROM stdin;\n\\.\n" +
		"COPY public.crlf (id) FROM stdin;\r\n1\r\n\\.\r\n" +
		"SELECT 1; -- COPY in a comment is not a block\n"
	want := map[string]int64{"public.users": 2, `public."Odd ""Name"""`: 1, "public.empty": 0, "public.crlf": 1}
	for _, size := range []int{1, 2, 3, 5, 64, len(dump)} {
		c := newCopyCounter()
		for p := dump; len(p) > 0; {
			n := min(size, len(p))
			c.Write([]byte(p[:n]))
			p = p[n:]
		}
		if !reflect.DeepEqual(c.counts, want) {
			t.Errorf("write size %d: counts %v, want %v", size, c.counts, want)
		}
	}
	c := newCopyCounter()
	c.Write([]byte(dump))
	if got := c.largest(2); !reflect.DeepEqual(got, []string{"public.users", `public."Odd ""Name"""`}) {
		t.Errorf("largest = %v", got)
	}
}

func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"public.users": "users", `public."Users"`: "Users", `public."a.b"`: `"a.b"`, "audit.log": "audit.log",
	} {
		if got := displayName(in); got != want {
			t.Errorf("displayName(%s) = %s, want %s", in, got, want)
		}
	}
}
