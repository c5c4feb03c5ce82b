package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
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
// before the write that made the change returns to its caller.
// PostgreSQL has no such memory: a logout on another replica must be seen
// at once, and only the database knows of it.

// authTables are the tables whose rows the token query reads.
var authTables = map[string]bool{"sessions": true, "users": true, "memberships": true}

// maxActors bounds the tokens remembered; when full, all are forgotten.
const maxActors = 10_000

// actorCache remembers the caller of each recently used access token.
// Its nil value remembers nothing.
type actorCache struct {
	// gen changes whenever a row of authTables is written and again once
	// that write is committed or rolled back; an entry read under another
	// generation is stale.
	gen atomic.Uint64
	// changing is set while a write to authTables may be uncommitted:
	// nothing is answered from memory or remembered meanwhile.
	changing atomic.Bool

	mu sync.Mutex
	m  map[[32]byte]rememberedActor
}

type rememberedActor struct {
	actor ajudae.Actor
	gen   uint64
	until time.Time // the token's expiry, or when the session is due to be touched
}

func newActorCache() *actorCache {
	return &actorCache{m: make(map[[32]byte]rememberedActor)}
}

// lookup returns the remembered caller of the token whose hash is key.
func (c *actorCache) lookup(key [32]byte, now time.Time) (*ajudae.Actor, bool) {
	if c == nil || c.changing.Load() {
		return nil, false
	}
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if !ok || e.gen != c.gen.Load() || !now.Before(e.until) {
		return nil, false
	}
	a := e.actor // a copy; Teams is only read once built
	return &a, true
}

// generation returns the generation under which a read of the database
// starting now may be remembered; false while a change may be uncommitted.
func (c *actorCache) generation() (uint64, bool) {
	if c == nil {
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

// remember stores a, read under generation gen, unless the tables have
// changed since.
func (c *actorCache) remember(key [32]byte, a *ajudae.Actor, gen uint64, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changing.Load() || c.gen.Load() != gen {
		return
	}
	if len(c.m) >= maxActors {
		clear(c.m)
	}
	c.m[key] = rememberedActor{actor: *a, gen: gen, until: until}
}

// written is the write connection's pre-update hook: it runs before each
// row change, inside the transaction that makes it.
func (c *actorCache) written(d sqlite.SQLitePreUpdateData) {
	if authTables[d.TableName] {
		c.changing.Store(true)
		c.gen.Add(1)
	}
}

// settled is called by the writer after each commit or rollback, before
// the callers of the transaction's writes are answered. Every earlier
// transaction on the one write connection has ended by then.
func (c *actorCache) settled() {
	if c == nil || !c.changing.Load() {
		return
	}
	c.gen.Add(1)
	c.changing.Store(false)
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
