package ajudae

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Field limits from the API contract.
const (
	MaxNameLen        = 100
	MaxEmailLen       = 254
	MinPasswordLen    = 8
	MaxPasswordLen    = 128
	MinTeamNameLen    = 2
	MaxTeamNameLen    = 60
	MaxTeamDescLen    = 500
	MinTitleLen       = 3
	MaxTitleLen       = 200
	MaxDescriptionLen = 20000
	MaxMessageLen     = 20000
	MaxReasonLen      = 500
)

// checkText adds a problem when s is shorter than min or longer than max
// characters (runes), or holds a NUL character. Text is otherwise kept
// exactly as sent.
func (p *Problems) checkText(field, s string, min, max int) {
	n := utf8.RuneCountInString(s)
	switch {
	case strings.ContainsRune(s, 0):
		p.Add(field, "must not contain a NUL character", s)
	case !utf8.ValidString(s):
		p.Add(field, "must be valid UTF-8", s)
	case n < min && min == 1:
		p.Add(field, "must not be empty", s)
	case n < min:
		p.Add(field, fmt.Sprintf("must be at least %d characters long", min), s)
	case n > max:
		p.Add(field, fmt.Sprintf("must be at most %d characters long", max), s)
	}
}

// checkName is checkText for a name that must hold more than blanks.
func (p *Problems) checkName(field, s string, min, max int) {
	if strings.TrimSpace(s) == "" && s != "" {
		p.Add(field, "must not be blank", s)
		return
	}
	p.checkText(field, s, min, max)
}

func (p *Problems) checkEmail(field, s string) {
	if strings.ContainsRune(s, 0) || len(s) > MaxEmailLen {
		p.checkText(field, s, 3, MaxEmailLen)
		return
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") {
		p.Add(field, "must be an e-mail address like name@example.com", s)
	}
}

func (p *Problems) checkPassword(field, s string) {
	if strings.ContainsRune(s, 0) {
		p.Add(field, "must not contain a NUL character", nil)
		return
	}
	n := utf8.RuneCountInString(s)
	if n < MinPasswordLen || n > MaxPasswordLen {
		p.Add(field, fmt.Sprintf("must be %d to %d characters long", MinPasswordLen, MaxPasswordLen), nil)
	}
}
