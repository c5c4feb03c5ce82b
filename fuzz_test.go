package ajudae_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ajudae/ajudae"
)

// The fuzz targets of the domain: the parsers of query parameters (cursor,
// sort) and the validation every write goes through. Their property: no
// panic; a refusal is EINVALID naming the field; what is accepted keeps the
// limits of API.md. Seeds are in testdata/fuzz; scripts/test runs each
// target for a few seconds.

func FuzzDecodeCursor(f *testing.F) {
	f.Add(ajudae.Cursor{Sort: "users", ID: 7}.Encode(), "users")
	f.Add(ajudae.Cursor{Sort: "-createdAt", Key: "2025-01-02T03:04:05.123456Z", ID: 42}.Encode(), "-createdAt")
	f.Add("", "teams")
	f.Add("eyJ4IjoxfQ", "users")
	f.Add("!!!", "audit")
	f.Fuzz(func(t *testing.T, s, sort string) {
		c, err := ajudae.DecodeCursor(s, sort)
		if err != nil {
			checkInvalid(t, err, "cursor")
			return
		}
		if c.ID <= 0 || c.Sort != sort {
			t.Fatalf("DecodeCursor(%q, %q) accepted %+v", s, sort, c)
		}
		again, err := ajudae.DecodeCursor(c.Encode(), sort)
		if err != nil || again != c {
			t.Fatalf("re-encoded cursor %+v decodes to %+v, %v", c, again, err)
		}
	})
}

// FuzzCursorRoundTrip: every cursor the server hands out decodes back to
// itself, whatever its key.
func FuzzCursorRoundTrip(f *testing.F) {
	f.Add("-priority", "3", int64(1))
	f.Add("createdAt", "2025-01-02T03:04:05Z", int64(1<<62))
	f.Add("", "\x00\xff", int64(5))
	f.Fuzz(func(t *testing.T, sort, key string, id int64) {
		if id <= 0 || !utf8.ValidString(sort) || !utf8.ValidString(key) {
			return // the server never makes such a cursor (JSON would alter the text)
		}
		c := ajudae.Cursor{Sort: sort, Key: key, ID: id}
		got, err := ajudae.DecodeCursor(c.Encode(), sort)
		if err != nil || got != c {
			t.Fatalf("cursor %+v decodes to %+v, %v", c, got, err)
		}
	})
}

func FuzzParseTicketSort(f *testing.F) {
	for _, s := range []string{"", "createdAt", "-createdAt", "updatedAt", "-updatedAt", "priority", "-priority", "--priority", "title", "-", " createdAt", "CREATEDAT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sort, err := ajudae.ParseTicketSort(s)
		if err != nil {
			checkInvalid(t, err, "sort")
			return
		}
		switch sort.Field() {
		case "createdAt", "updatedAt", "priority":
		default:
			t.Fatalf("ParseTicketSort(%q) = %q, an unknown field", s, sort)
		}
		if s == "" && sort != "-createdAt" {
			t.Fatalf("default sort = %q, want -createdAt", sort)
		}
		if s != "" && string(sort) != s {
			t.Fatalf("ParseTicketSort(%q) = %q", s, sort)
		}
		if sort.Desc() != strings.HasPrefix(string(sort), "-") {
			t.Fatalf("%q: Desc() = %v", sort, sort.Desc())
		}
	})
}

// FuzzValidate feeds the same text to every input type: whatever passes
// Validate holds no NUL, is valid UTF-8 and is within the field's limits.
func FuzzValidate(f *testing.F) {
	f.Add("Ana Souza", "ana@example.com", "uma senha longa", "Não consigo acessar", int64(1))
	f.Add("", "", "", "", int64(0))
	f.Add("a\x00b", "a@b", "1234567", "\xff\xfe", int64(-1))
	f.Add(strings.Repeat("ç", 101), strings.Repeat("e", 243)+"@example.com", strings.Repeat("p", 129), strings.Repeat("x", 20001), int64(1<<62))
	f.Add("   ", "\"quoted\"@example.com", "\r\n\r\n\r\n\r\n", "<script>alert(1)</script>'; DROP TABLE tickets; --", int64(3))
	f.Add("Ana", "Ana <ana@example.com>", "12345678", "🎉🎉🎉", int64(2))
	f.Fuzz(func(t *testing.T, name, email, password, text string, id int64) {
		nu := ajudae.NewUser{Name: name, Email: email, Password: password}
		if err := nu.Validate(); err != nil {
			checkInvalid(t, err, "")
		} else {
			within(t, "name", name, 1, ajudae.MaxNameLen)
			within(t, "email", email, 3, ajudae.MaxEmailLen)
			// A password is only hashed, never stored or shown: any bytes
			// but NUL will do (JSON turns invalid UTF-8 into U+FFFD anyway).
			if n := utf8.RuneCountInString(password); strings.ContainsRune(password, 0) || n < ajudae.MinPasswordLen || n > ajudae.MaxPasswordLen {
				t.Fatalf("password %q accepted", password)
			}
			if strings.TrimSpace(name) == "" || !strings.Contains(email, "@") {
				t.Fatalf("accepted name %q e-mail %q", name, email)
			}
		}
		uu := ajudae.UserUpdate{Name: &name, Email: &email, Password: &password, Role: (*ajudae.Role)(&text)}
		if err := uu.Validate(); err != nil {
			checkInvalid(t, err, "")
		} else if text != "USER" && text != "ATTENDANT" {
			t.Fatalf("accepted role %q", text)
		}
		ti := ajudae.TeamInput{Name: &name, Description: &text}
		if err := ti.Validate(true); err != nil {
			checkInvalid(t, err, "")
		} else {
			within(t, "team name", name, ajudae.MinTeamNameLen, ajudae.MaxTeamNameLen)
			within(t, "team description", text, 0, ajudae.MaxTeamDescLen)
		}
		nt := ajudae.NewTicket{Title: name, Description: text, TeamID: id, Priority: ajudae.Priority(email), IdempotencyKey: password}
		if err := nt.Validate(); err != nil {
			checkInvalid(t, err, "")
		} else {
			within(t, "title", name, ajudae.MinTitleLen, ajudae.MaxTitleLen)
			within(t, "description", text, 1, ajudae.MaxDescriptionLen)
			if id <= 0 || !nt.Priority.Valid() {
				t.Fatalf("accepted team %d priority %q", id, nt.Priority)
			}
		}
		st, pr := ajudae.Status(name), ajudae.Priority(email)
		tu := ajudae.TicketUpdate{Title: &text, Status: &st, Priority: &pr, AssignedToID: &id}
		if err := tu.Validate(); err != nil {
			checkInvalid(t, err, "")
		} else if !st.Valid() || !pr.Valid() || id <= 0 {
			t.Fatalf("accepted status %q priority %q assignee %d", st, pr, id)
		}
		rd := ajudae.Redirect{TeamID: id, Reason: text}
		if err := rd.Validate(); err != nil {
			checkInvalid(t, err, "")
		} else {
			within(t, "reason", text, 0, ajudae.MaxReasonLen)
		}
		nm := ajudae.NewMessage{Message: text}
		if err := nm.Validate(); err != nil {
			checkInvalid(t, err, "message")
		} else {
			within(t, "message", text, 1, ajudae.MaxMessageLen)
		}
	})
}

// checkInvalid fails unless err is EINVALID listing at least one field
// (field, when not empty, among them).
func checkInvalid(t *testing.T, err error, field string) {
	t.Helper()
	e, ok := err.(*ajudae.Error)
	if !ok || e.Code != ajudae.EINVALID || len(e.Fields) == 0 {
		t.Fatalf("error %v (%T) is not EINVALID with fields", err, err)
	}
	if field == "" {
		return
	}
	for _, fe := range e.Fields {
		if fe.Field == field {
			return
		}
	}
	t.Fatalf("error %+v does not name %s", e.Fields, field)
}

// within fails unless s, accepted for field, is valid UTF-8 without NUL
// and has min to max characters.
func within(t *testing.T, field, s string, min, max int) {
	t.Helper()
	n := utf8.RuneCountInString(s)
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || n < min || n > max {
		t.Fatalf("%s %q (%d characters) accepted; want %d to %d valid characters without NUL", field, s, n, min, max)
	}
}
