package sqlstore

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/ajudae/ajudae"
)

// dialect holds what differs between the engines. Everything else is the
// same SQL text, written with ? placeholders.
type dialect struct {
	name      string
	goose     string // goose dialect name
	forUpdate string // row lock for a read-then-write inside a transaction
	numbered  bool   // placeholders are $1, $2…

	// The columns of a ticket (ticketColumns); on SQLite its times are
	// read as text, for timeDest (see timescan.go).
	ticketColumns string
	// ticketSelect is the query of tickets with the names of their team,
	// creator and assignee, for scanTicket; ticketByID and lockTicketByID
	// read one (W3's query), written once here rather than per request.
	ticketSelect, ticketByID, lockTicketByID string
	// bareColumns, bareSelect and bareByID are the same without the names
	// (no joins): they come from memory (names.go). On PostgreSQL the bare
	// columns end with the names' generation (namesGen).
	bareColumns, bareSelect, bareByID string
	namesGen                          bool
	// namesQuery reads the names of teams and users by id (the ids bound
	// as two lists, DB.idList), and on PostgreSQL their generation; the
	// first column is the kind of each row (teamName…).
	namesQuery string
}

var (
	sqliteDialect = withTicketQueries(dialect{name: "sqlite", goose: "sqlite3",
		ticketColumns: ticketColumnsOf(true, true), bareColumns: ticketColumnsOf(true, false),
		// One statement whatever the number of ids (a statement per count
		// would fill the statement cache): the ids go as two JSON arrays.
		namesQuery: `SELECT 0, id, name FROM teams WHERE id IN (SELECT value FROM json_each(?))
		UNION ALL SELECT 1, id, name FROM users WHERE id IN (SELECT value FROM json_each(?))`})
	postgres = withTicketQueries(dialect{name: "postgres", goose: "postgres", forUpdate: " FOR UPDATE OF t", numbered: true,
		ticketColumns: ticketColumnsOf(false, true),
		bareColumns:   ticketColumnsOf(false, false) + `, (SELECT n FROM name_generation)`, namesGen: true,
		namesQuery: `SELECT 0, id, name FROM teams WHERE id = ANY (?)
		UNION ALL SELECT 1, id, name FROM users WHERE id = ANY (?)
		UNION ALL SELECT 2, n, NULL FROM name_generation`})
)

func withTicketQueries(d dialect) dialect {
	d.ticketSelect = d.ticketColumns + ` FROM tickets t` + ticketJoins
	d.ticketByID = d.rebind(d.ticketSelect + ` WHERE t.id = ?`)
	d.lockTicketByID = d.rebind(d.ticketSelect + ` WHERE t.id = ?` + d.forUpdate)
	d.bareSelect = d.bareColumns + ` FROM tickets t`
	d.bareByID = d.rebind(d.bareSelect + ` WHERE t.id = ?`)
	d.namesQuery = d.rebind(d.namesQuery)
	return d
}

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

// searchWords splits what a user typed into words of letters and digits,
// so that nothing in q can be query syntax of either engine.
func searchWords(q string) []string {
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > 16 {
		words = words[:16]
	}
	return words
}

// search returns a query of the ids (column id) of the tickets whose
// title, description or a message a may see holds every word of q (as a
// prefix), ignoring case and accents. Internal notes count for the
// ticket's staff. Without any word in q, it is every ticket.
func (d dialect) search(a *ajudae.Actor, q string) (string, []any) {
	words := searchWords(q)
	if len(words) == 0 {
		return "SELECT id FROM tickets", nil
	}
	var match string
	if d == postgres {
		for i, w := range words {
			words[i] = w + ":*"
		}
		match = strings.Join(words, " & ")
	} else {
		for i, w := range words {
			words[i] = `"` + w + `"*`
		}
		match = strings.Join(words, " ")
	}
	notes, args := "FALSE", []any{match, match}
	switch {
	case a.IsAdmin():
		notes = "TRUE"
	case len(a.Teams) > 0:
		notes = "EXISTS (SELECT 1 FROM tickets x WHERE x.id = m.ticket_id AND x.team_id IN (" + placeholders(len(a.Teams)) + "))"
		for _, id := range a.TeamIDs() {
			args = append(args, id)
		}
	}
	if d == postgres {
		return `SELECT ticket_id AS id FROM ticket_search WHERE search @@ to_tsquery('portuguese', ajudae_unaccent(?))
			UNION SELECT m.ticket_id FROM messages m WHERE m.search @@ to_tsquery('portuguese', ajudae_unaccent(?))
			AND (NOT m.is_internal OR ` + notes + `)`, args
	}
	return `SELECT rowid AS id FROM tickets_fts WHERE tickets_fts MATCH ?
		UNION SELECT m.ticket_id FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
		WHERE messages_fts MATCH ? AND (NOT m.is_internal OR ` + notes + `)`, args
}
