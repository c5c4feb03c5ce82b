package sqlstore

import (
	"strconv"
	"strings"
)

// dialect holds what differs between the engines. Everything else is the
// same SQL text, written with ? placeholders.
type dialect struct {
	name      string
	goose     string // goose dialect name
	forUpdate string // row lock for a read-then-write inside a transaction
	numbered  bool   // placeholders are $1, $2…
}

var (
	sqliteDialect = dialect{name: "sqlite", goose: "sqlite3"}
	postgres      = dialect{name: "postgres", goose: "postgres", forUpdate: " FOR UPDATE", numbered: true}
)

// rebind turns ? placeholders into $n for PostgreSQL. Queries never hold a
// literal question mark.
func (d dialect) rebind(q string) string {
	if !d.numbered || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
