package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"

	"github.com/ajudae/ajudae"
)

// A ticket shows the names of its team, creator and assignee. On SQLite
// they come from memory (the actorCache, which forgets a name as soon as
// the writer changes its row, as it forgets a caller): reading a ticket
// without joining teams and users twice halves the B-tree descents of a
// read and of each row of a page. While the memory is off or a write to
// those tables is under way, tickets are read with their joins.
//
// The two ways differ only on a database whose foreign keys were broken
// from outside (a ticket's creator deleted by the sqlite3 shell with
// foreign keys off): joined, such a ticket is not found; named from
// memory, it shows a removed user.

// bareQuery reports whether tickets may be read without their names now,
// and the generation under which the names read with them may be
// remembered (see actorCache.generation).
func (db *DB) bareQuery() (gen uint64, ok bool) { return db.actors.generation() }

// nameTickets sets the team, creator and assignee names of ts, read with
// the bare columns under gen: from memory, and those memory does not hold
// with one query, remembered for the next time.
func (db *DB) nameTickets(ctx context.Context, gen uint64, ts []ajudae.Ticket) error {
	teamIDs, userIDs := db.actors.names(ts)
	if len(teamIDs)+len(userIDs) == 0 {
		return nil
	}
	// One statement whatever the number of ids (a statement per count
	// would fill the statement cache): the ids go as two JSON arrays.
	rows, err := db.query(ctx, `SELECT 0, id, name FROM teams WHERE id IN (SELECT value FROM json_each(?))
		UNION ALL SELECT 1, id, name FROM users WHERE id IN (SELECT value FROM json_each(?))`,
		jsonIDs(teamIDs), jsonIDs(userIDs))
	if err != nil {
		return fmt.Errorf("names: %w", err)
	}
	defer rows.Close()
	teams, users := make(map[int64]string, len(teamIDs)), make(map[int64]string, len(userIDs))
	for rows.Next() {
		var (
			user bool
			id   int64
			name sql.NullString
		)
		if err := rows.Scan(&user, &id, &name); err != nil {
			return fmt.Errorf("names: %w", err)
		}
		if user {
			users[id] = nameOr(name)
		} else {
			teams[id] = name.String
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("names: %w", err)
	}
	team := func(id int64) (string, bool) { n, ok := teams[id]; return n, ok }
	user := func(id int64) (string, bool) { n, ok := users[id]; return n, ok }
	for i := range ts {
		setNames(&ts[i], team, user)
	}
	db.actors.rememberNames(gen, teams, users)
	return nil
}

// setNames sets the names of t that team and user know.
func setNames(t *ajudae.Ticket, team, user func(id int64) (string, bool)) {
	if n, ok := team(t.Team.ID); ok {
		t.Team.Name = n
	}
	if n, ok := user(t.CreatedBy.ID); ok {
		t.CreatedBy.Name = n
	}
	if t.AssignedTo != nil {
		if n, ok := user(t.AssignedTo.ID); ok {
			t.AssignedTo.Name = n
		}
	}
}

// jsonIDs writes ids as a JSON array, for json_each.
func jsonIDs(ids []int64) string {
	b := make([]byte, 0, 2+8*len(ids))
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// names sets the names of ts that c remembers, and returns the ids of the
// teams and users whose names it does not. A name changed by a write still
// under way may be given: the read then happened before the write, which
// has not returned yet; once it returns, settled has forgotten the name.
func (c *actorCache) names(ts []ajudae.Ticket) (teamIDs, userIDs []int64) {
	c.mu.RLock()
	team := func(id int64) (string, bool) {
		n, ok := c.teamNames[id]
		if !ok {
			teamIDs = append(teamIDs, id)
		}
		return n, ok
	}
	user := func(id int64) (string, bool) {
		n, ok := c.userNames[id]
		if !ok {
			userIDs = append(userIDs, id)
		}
		return n, ok
	}
	for i := range ts {
		setNames(&ts[i], team, user)
	}
	c.mu.RUnlock()
	slices.Sort(teamIDs)
	slices.Sort(userIDs)
	return slices.Compact(teamIDs), slices.Compact(userIDs)
}

// rememberNames stores names read under generation gen, unless a write to
// the tables they come from began since.
func (c *actorCache) rememberNames(gen uint64, teams, users map[int64]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changing.Load() || c.gen.Load() != gen {
		return
	}
	if len(c.teamNames)+len(c.userNames)+len(teams)+len(users) > maxNames {
		clear(c.teamNames)
		clear(c.userNames)
	}
	for id, n := range teams {
		c.teamNames[id] = n
	}
	for id, n := range users {
		c.userNames[id] = n
	}
}
