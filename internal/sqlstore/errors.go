package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ajudae/ajudae"
)

// formatError turns driver errors that have a meaning for the user into
// *ajudae.Error: a unique violation is ECONFLICT, a database that does not
// answer is EUNAVAILABLE. No rows is left as sql.ErrNoRows for the caller,
// which knows what was not found. Other errors pass through.
func formatError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*ajudae.Error](err); ok {
		return err
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch {
		case pe.Code == "23505":
			return &conflictError{constraint: pe.ConstraintName, err: err}
		case pgUnavailable(pe.Code):
			return unavailable(err)
		}
		return err
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &conflictError{constraint: se.Error(), err: err}
		}
		// The primary code: SQLITE_IOERR_WRITE is an SQLITE_IOERR, and so on.
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR,
			sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOMEM:
			return unavailable(err)
		}
		return err
	}
	// A request that ran out of time, or whose client went away, while it
	// waited for the database (or for a password hashing slot).
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, sql.ErrConnDone) {
		return unavailable(err)
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return unavailable(err)
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return unavailable(err)
	}
	if pgconn.SafeToRetry(err) || pgconn.Timeout(err) {
		return unavailable(err)
	}
	return err
}

// pgUnavailable reports whether a PostgreSQL error code means the database
// cannot serve now, rather than a bug: the caller may try again.
func pgUnavailable(code string) bool {
	switch {
	case strings.HasPrefix(code, "08"): // connection exceptions
		return true
	case strings.HasPrefix(code, "53"): // insufficient resources: connections, disk, memory
		return true
	}
	switch code {
	case "57P01", "57P02", "57P03": // shutting down, crashed, starting up
		return true
	case "57014": // statement cancelled: statement_timeout, or our own cancel
		return true
	case "40001", "40P01", "55P03": // serialization failure, deadlock, lock_timeout
		return true
	}
	return false
}

// unavailableError is EUNAVAILABLE that keeps the driver error for the log.
type unavailableError struct{ err error }

func unavailable(err error) error { return &unavailableError{err: err} }

func (e *unavailableError) Error() string { return "database unavailable: " + e.err.Error() }
func (e *unavailableError) Unwrap() []error {
	return []error{e.err, ajudae.Errorf(ajudae.EUNAVAILABLE, "The service is temporarily unavailable; try again shortly.")}
}

// conflictError is a unique violation; the caller that knows which value
// was duplicated turns it into an ECONFLICT with a message (see conflict).
type conflictError struct {
	constraint string
	err        error
}

func (e *conflictError) Error() string { return "unique violation: " + e.err.Error() }
func (e *conflictError) Unwrap() []error {
	return []error{e.err, ajudae.Errorf(ajudae.ECONFLICT, "A conflicting record already exists.")}
}

// isConflict reports whether err is a unique violation of a constraint
// whose name contains name (PostgreSQL names the index; SQLite the columns).
func isConflict(err error, names ...string) bool {
	ce, ok := errors.AsType[*conflictError](err)
	if !ok {
		return false
	}
	for _, n := range names {
		if strings.Contains(ce.constraint, n) {
			return true
		}
	}
	return len(names) == 0
}

func notFound(what string) error {
	return ajudae.Errorf(ajudae.ENOTFOUND, "%s not found.", what)
}

// noRows maps sql.ErrNoRows to ENOTFOUND for what, and formats other errors.
func noRows(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what)
	}
	return formatError(err)
}
