package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"

	"github.com/ajudae/ajudae"
)

// On SQLite this process is the only replica and the writer goroutine
// (writer.go) the only code that changes the tables the token query reads,
// so Authenticate may answer from memory and still refuse a revoked token
// on the very next request: a hook on the write connection sees every row
// written to those tables, and the writer invalidates what is remembered
// before the write that made the change returns to its caller. The names
// of teams and users that tickets show are remembered the same way
// (names.go). PostgreSQL remembers no token: a logout on another replica
// must be seen at once, and only the database knows of it (its names
// memory is checked against a generation read with the tickets instead).

// maxActors bounds the tokens remembered, maxNames the names; when full,
// all are forgotten.
const (
	maxActors = 10_000
	maxNames  = 100_000
)

// A pre-update hook's codes for a new row (SQLITE_INSERT) and a changed
// one (SQLITE_UPDATE).
const (
	sqliteInsert = 18
	sqliteUpdate = 23
)

// actorCache remembers the caller of each recently used access token, and
// the names of the teams and users tickets show (names.go). Its nil value
// remembers nothing.
//
// A write to the tables these come from (sessions, users, memberships,
// teams) is seen by the pre-update hook before it happens: nothing is
// answered from memory or remembered until the writer has committed or
// rolled it back and forgotten what it touched — the callers of the
// sessions and users it changed, everyone when it changed a membership,
// the names of the users and teams it changed. A database read that
// overlapped such a write is not remembered (gen).
type actorCache struct {
	// gen moves at every write to those tables; a read is remembered only
	// if gen did not move while it ran.
	gen atomic.Uint64
	// changing is set from a write to those tables until settled.
	changing atomic.Bool
	// writing is set while the writer runs a transaction (writer.go). A
	// write to those tables at any other time, which settled cannot
	// follow, turns the cache off for good (off), and says so.
	writing, off atomic.Bool
	// dataVersion is the write connection's PRAGMA data_version at the
	// last checkOthers: it changes when another connection commits.
	dataVersion atomic.Int64
	log         *slog.Logger

	mu sync.RWMutex
	m  map[[32]byte]rememberedActor
	// The names of teams and users, by id.
	teamNames, userNames map[int64]string
	// What the writes since the last settled touched: rows of sessions and
	// users, and the users and teams whose name may have changed.
	sessions, users, renamed, teams map[int64]bool
	everyone                        bool
}

type rememberedActor struct {
	actor ajudae.Actor
	until time.Time // the token's expiry, or when the session is due to be touched
}

// newActorCache returns a cache that is off until restart (the migrations
// run first).
func newActorCache(log *slog.Logger) *actorCache {
	c := &actorCache{log: log, m: make(map[[32]byte]rememberedActor),
		teamNames: make(map[int64]string), userNames: make(map[int64]string),
		sessions: make(map[int64]bool), users: make(map[int64]bool), renamed: make(map[int64]bool),
		teams: make(map[int64]bool)}
	c.off.Store(true)
	c.writing.Store(true)
	return c
}

// lookup returns the remembered caller of the token whose hash is key.
func (c *actorCache) lookup(key [32]byte, now time.Time) (*ajudae.Actor, bool) {
	if c == nil || c.changing.Load() || c.off.Load() {
		return nil, false
	}
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return nil, false
	}
	a := e.actor // a copy; Teams is only read once built
	return &a, true
}

// generation returns the generation under which a read of the database
// starting now may be remembered; false while a change may be uncommitted.
func (c *actorCache) generation() (uint64, bool) {
	if c == nil || c.off.Load() {
		return 0, false
	}
	// The generation first: written sets changing before it moves the
	// generation, so a generation that already counts a change is seen
	// with changing set, until settled (after the commit) clears it.
	gen := c.gen.Load()
	if c.changing.Load() {
		return 0, false
	}
	return gen, true
}

// remember stores a, read under generation gen, unless a write to the
// tables began since.
func (c *actorCache) remember(key [32]byte, a *ajudae.Actor, gen uint64, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changing.Load() || c.gen.Load() != gen {
		return
	}
	if len(c.m) >= maxActors {
		clear(c.m)
	}
	c.m[key] = rememberedActor{actor: *a, until: until}
}

// written is called by the write connection's pre-update hook before each
// row change, inside the transaction that makes it.
func (c *actorCache) written(d sqlite.SQLitePreUpdateData) {
	var id int64
	switch d.TableName {
	case "sessions":
		if d.Op == sqliteInsert {
			return // a new session: nobody can have remembered it
		}
		id = d.OldRowID
	case "users", "memberships", "teams":
		id = d.OldRowID
		if d.Op == sqliteInsert {
			id = d.NewRowID
		}
	default:
		return
	}
	// A team matters only by its name; a user also by its role, its
	// deletion… (the token query reads the row), and by its name.
	renamed := (d.TableName == "users" || d.TableName == "teams") && nameChanged(d)
	if d.TableName == "teams" && !renamed {
		return
	}
	c.changing.Store(true)
	c.gen.Add(1)
	if !c.writing.Load() && !c.off.Swap(true) {
		c.log.Warn("a write to the sessions, users, memberships or teams tables outside the store's writer: " +
			"access tokens and names are read from the database from now on")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch d.TableName {
	case "sessions":
		c.sessions[id] = true
	case "users":
		c.users[id] = true
		if renamed {
			c.renamed[id] = true
		}
	case "teams":
		c.teams[id] = true
	default: // a membership's row id is not its user
		c.everyone = true
	}
}

// nameChanged reports whether the row change d may change the name of a
// user or a team (their second column): a new row has no remembered name,
// and most updates of users (a login's last_login) leave it alone.
func nameChanged(d sqlite.SQLitePreUpdateData) bool {
	switch d.Op {
	case sqliteInsert:
		return false
	case sqliteUpdate:
		old, updated := make([]any, 2), make([]any, 2)
		if d.Old(old...) != nil || d.New(updated...) != nil {
			return true
		}
		o, ok1 := old[1].(string)
		n, ok2 := updated[1].(string)
		return !ok1 || !ok2 || o != n
	}
	return true // a deleted row
}

// settled is called by the writer after each commit or rollback, before
// the callers of the transaction's writes are answered: it forgets the
// callers the transaction touched.
func (c *actorCache) settled() {
	if c == nil {
		return
	}
	defer c.writing.Store(false) // the writer's transaction has ended
	if !c.changing.Load() {
		return
	}
	c.mu.Lock()
	if c.everyone {
		clear(c.m)
	} else if len(c.sessions)+len(c.users) > 0 {
		for k, e := range c.m {
			if c.sessions[e.actor.SessionID] || c.users[e.actor.UserID] {
				delete(c.m, k)
			}
		}
	}
	for id := range c.renamed {
		delete(c.userNames, id)
	}
	for id := range c.teams {
		delete(c.teamNames, id)
	}
	c.clearTouched()
	c.gen.Add(1)
	c.changing.Store(false)
	c.mu.Unlock()
}

// clearTouched drops the marks of what the writes since the last settled
// touched; c.mu is held.
func (c *actorCache) clearTouched() {
	clear(c.sessions)
	clear(c.users)
	clear(c.renamed)
	clear(c.teams)
	c.everyone = false
}

// restart forgets everything and turns the cache on: Open calls it once
// the migrations, which write outside the writer, have run.
func (c *actorCache) restart() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forget()
	c.clearTouched()
	c.gen.Add(1)
	c.changing.Store(false)
	c.writing.Store(false)
	c.off.Store(false)
}

// checkOthers forgets everyone when another program (the sqlite3 shell, a
// second process on the same file) has committed to the database since the
// last check: the hook sees only this process's writes. The writer calls
// it every second, so such a change is seen within a second.
func (c *actorCache) checkOthers(write *sql.DB) {
	if c == nil {
		return
	}
	var v int64
	if err := write.QueryRowContext(context.Background(), `PRAGMA data_version`).Scan(&v); err != nil {
		c.forgetAll() // unknown: assume the worst
		return
	}
	if c.dataVersion.Swap(v) != v {
		c.forgetAll()
	}
}

func (c *actorCache) forgetAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forget()
	c.gen.Add(1)
}

// forget drops every caller and name remembered; c.mu is held.
func (c *actorCache) forget() {
	clear(c.m)
	clear(c.teamNames)
	clear(c.userNames)
}

// begin marks the start of a transaction of the writer, once it holds the
// write connection; settled marks its end.
func (c *actorCache) begin() {
	if c != nil {
		c.writing.Store(true)
	}
}

// hookedConnector registers the cache's hook on each connection it opens.
type hookedConnector struct {
	driver.Connector
	hook sqlite.PreUpdateHookFn
}

func (h hookedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := h.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	r, ok := conn.(sqlite.HookRegisterer)
	if !ok {
		conn.Close()
		return nil, errors.New("sqlstore: the SQLite driver does not take a pre-update hook")
	}
	r.RegisterPreUpdateHook(h.hook)
	return conn, nil
}
