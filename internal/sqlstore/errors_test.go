package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ajudae/ajudae"
)

// TestFormatError: the driver errors of a database that cannot serve now
// are EUNAVAILABLE (503), a unique violation ECONFLICT, and anything else
// left alone (a bug: 500).
func TestFormatError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"request deadline", context.DeadlineExceeded, ajudae.EUNAVAILABLE},
		{"client gone", context.Canceled, ajudae.EUNAVAILABLE},
		{"wrapped deadline", fmt.Errorf("timeout: %w", context.DeadlineExceeded), ajudae.EUNAVAILABLE},
		{"bad connection", driver.ErrBadConn, ajudae.EUNAVAILABLE},
		{"connection done", sql.ErrConnDone, ajudae.EUNAVAILABLE},
		{"cut mid-answer", io.ErrUnexpectedEOF, ajudae.EUNAVAILABLE},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, ajudae.EUNAVAILABLE},
		{"pg connection failure", &pgconn.PgError{Code: "08006"}, ajudae.EUNAVAILABLE},
		{"pg too many connections", &pgconn.PgError{Code: "53300"}, ajudae.EUNAVAILABLE},
		{"pg disk full", &pgconn.PgError{Code: "53100"}, ajudae.EUNAVAILABLE},
		{"pg admin shutdown", &pgconn.PgError{Code: "57P01"}, ajudae.EUNAVAILABLE},
		{"pg starting up", &pgconn.PgError{Code: "57P03"}, ajudae.EUNAVAILABLE},
		{"pg statement timeout", &pgconn.PgError{Code: "57014"}, ajudae.EUNAVAILABLE},
		{"pg deadlock", &pgconn.PgError{Code: "40P01"}, ajudae.EUNAVAILABLE},
		{"pg serialization", &pgconn.PgError{Code: "40001"}, ajudae.EUNAVAILABLE},
		{"pg unique violation", &pgconn.PgError{Code: "23505", ConstraintName: "users_email_key"}, ajudae.ECONFLICT},
		{"pg syntax error (a bug)", &pgconn.PgError{Code: "42601"}, ajudae.EINTERNAL},
		{"pg check violation (a bug)", &pgconn.PgError{Code: "23514"}, ajudae.EINTERNAL},
		{"anything else", errors.New("boom"), ajudae.EINTERNAL},
		{"domain error kept", ajudae.Errorf(ajudae.ENOTFOUND, "x"), ajudae.ENOTFOUND},
	}
	for _, tt := range tests {
		if got := ajudae.ErrorCode(formatError(tt.err)); got != tt.want {
			t.Errorf("%s: %v → %s, want %s", tt.name, tt.err, got, tt.want)
		}
	}
	if err := formatError(sql.ErrNoRows); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("no rows became %v; the caller names what was not found", err)
	}
	if err := formatError(context.DeadlineExceeded); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the driver error is lost for the log: %v", err)
	}
}

// TestFormatSQLiteBusy: a real SQLITE_BUSY (another connection holds the
// write lock and this one will not wait) is EUNAVAILABLE.
func TestFormatSQLiteBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "busy.db")
	holder, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	conn, err := holder.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "CREATE TABLE x (a); BEGIN IMMEDIATE; INSERT INTO x VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.BeginTx(t.Context(), nil)
	if err == nil {
		t.Fatal("a second writer began while the first held the lock")
	}
	if got := ajudae.ErrorCode(formatError(err)); got != ajudae.EUNAVAILABLE {
		t.Errorf("%v → %s, want %s", err, got, ajudae.EUNAVAILABLE)
	}
	conn.ExecContext(t.Context(), "ROLLBACK")
}
