package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/ajudae/ajudae"
)

// A ticket shows the names of its team, creator and assignee. They come
// from memory: reading a ticket without joining teams and users twice
// halves the B-tree descents of a read and of each row of a page (and
// PostgreSQL's work for a page of 50).
//
// On SQLite the memory is the actorCache, which forgets a name as soon as
// the writer changes its row, as it forgets a caller; while the memory is
// off or a write to those tables is under way, tickets are read with
// their joins. On PostgreSQL, where another replica may rename, the
// memory is pgNames: every change of a name gives name_generation a new
// random value in the renaming transaction (migration 0006), and the bare
// ticket queries read it in the same snapshot as the tickets; a replica
// uses the names it remembers only for a read that saw the generation
// they were read under.
//
// Names are remembered only from reads outside any transaction (db.read):
// a transaction's own uncommitted rename must never be remembered.
//
// The two ways differ only on a database whose foreign keys were broken
// from outside (a ticket's creator deleted by the sqlite3 shell with
// foreign keys off): joined, such a ticket is not found; named from
// memory, it shows a removed user.

// nameMemory remembers the names of teams and users, by id.
type nameMemory interface {
	// names sets the names of ts it remembers under generation gen and
	// returns the ids of the teams and users whose names it does not.
	names(gen uint64, ts []ajudae.Ticket) (teamIDs, userIDs []int64)
	// rememberNames stores names read under generation gen.
	rememberNames(gen uint64, teams, users map[int64]string)
}

// bareQuery reports whether tickets may be read without their names now,
// and on SQLite the generation under which the names read with them may
// be remembered (see actorCache.generation); on PostgreSQL the bare query
// reads the generation itself.
func (db *DB) bareQuery() (gen uint64, ok bool) {
	if db.d.namesGen {
		return 0, true
	}
	return db.actors.generation()
}

// The kinds of the rows of namesQuery.
const (
	teamName = iota
	userName
	namesGeneration // PostgreSQL's: the generation the names were read under
)

// nameTickets sets the team, creator and assignee names of ts, read with
// the bare columns under gen: from memory, and those memory does not hold
// with one query, remembered for the next time. It reads outside any
// transaction (see above).
func (db *DB) nameTickets(ctx context.Context, gen uint64, ts []ajudae.Ticket) error {
	teamIDs, userIDs := db.names.names(gen, ts)
	if len(teamIDs)+len(userIDs) == 0 {
		return nil
	}
	rows, err := db.query(ctx, db.d.namesQuery, db.idList(teamIDs), db.idList(userIDs))
	if err != nil {
		return fmt.Errorf("names: %w", err)
	}
	defer rows.Close()
	teams, users := make(map[int64]string, len(teamIDs)), make(map[int64]string, len(userIDs))
	for rows.Next() {
		var (
			kind int
			id   int64
			name sql.NullString
		)
		if err := rows.Scan(&kind, &id, &name); err != nil {
			return fmt.Errorf("names: %w", err)
		}
		switch kind {
		case teamName:
			teams[id] = name.String
		case userName:
			users[id] = nameOr(name)
		case namesGeneration:
			gen = uint64(id)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("names: %w", err)
	}
	lookUpNames(teams, users, ts) // a name the database lacks keeps its placeholder
	db.names.rememberNames(gen, teams, users)
	return nil
}

// idList binds ids for namesQuery: a JSON array for SQLite's json_each, an
// array on PostgreSQL.
func (db *DB) idList(ids []int64) any {
	if db.d == postgres {
		return ids
	}
	return jsonIDs(ids)
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
// The hook, not gen, keeps these names current.
func (c *actorCache) names(_ uint64, ts []ajudae.Ticket) (teamIDs, userIDs []int64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return lookUpNames(c.teamNames, c.userNames, ts)
}

// lookUpNames sets the names of ts found in teams and users, and returns
// the ids of those not found.
func lookUpNames(teams, users map[int64]string, ts []ajudae.Ticket) (teamIDs, userIDs []int64) {
	set := func(known map[int64]string, id int64, dst *string, missing *[]int64) {
		if n, ok := known[id]; ok {
			*dst = n
		} else {
			*missing = append(*missing, id)
		}
	}
	for i := range ts {
		t := &ts[i]
		set(teams, t.Team.ID, &t.Team.Name, &teamIDs)
		set(users, t.CreatedBy.ID, &t.CreatedBy.Name, &userIDs)
		if t.AssignedTo != nil {
			set(users, t.AssignedTo.ID, &t.AssignedTo.Name, &userIDs)
		}
	}
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
	storeNames(c.teamNames, c.userNames, teams, users)
}

// storeNames adds teams and users to the remembered names, forgetting
// them all first when they would pass maxNames.
func storeNames(rememberedTeams, rememberedUsers, teams, users map[int64]string) {
	if len(rememberedTeams)+len(rememberedUsers)+len(teams)+len(users) > maxNames {
		clear(rememberedTeams)
		clear(rememberedUsers)
	}
	maps.Copy(rememberedTeams, teams)
	maps.Copy(rememberedUsers, users)
}

// pgNames is PostgreSQL's memory of names: those read under one
// generation of name_generation, the last the names query saw. Its zero
// value is empty.
type pgNames struct {
	mu           sync.RWMutex
	gen          uint64
	teams, users map[int64]string
}

// names sets the names of ts that m remembers, if it remembers those of
// generation gen: a read that saw another generation (a rename since, or
// a snapshot older than the names') asks for all of them.
func (m *pgNames) names(gen uint64, ts []ajudae.Ticket) (teamIDs, userIDs []int64) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if gen != m.gen {
		return lookUpNames(nil, nil, ts)
	}
	return lookUpNames(m.teams, m.users, ts)
}

// rememberNames stores names read under generation gen. Names of another
// generation than those remembered replace them: generations are random,
// not ordered, so the last read wins (around a rename two readers may
// take turns, which costs queries, never a stale name).
func (m *pgNames) rememberNames(gen uint64, teams, users map[int64]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if gen != m.gen || m.teams == nil {
		m.gen, m.teams, m.users = gen, make(map[int64]string), make(map[int64]string)
	}
	storeNames(m.teams, m.users, teams, users)
}
