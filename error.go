// Package ajudae holds the domain of the Ajudaê help-desk: its types, the
// enums of the API contract, the errors every layer speaks, and the policy
// that says who may do what. It imports nothing of HTTP or SQL.
package ajudae

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. Each maps to one HTTP status in internal/problem.
const (
	EINVALID      = "invalid"      // a field fails validation (422)
	EMALFORMED    = "malformed"    // the request cannot be parsed (400)
	EUNAUTHORIZED = "unauthorized" // not authenticated (401)
	EFORBIDDEN    = "forbidden"    // authenticated but not allowed (403)
	ENOTFOUND     = "not_found"    // missing or not visible to the caller (404)
	ECONFLICT     = "conflict"     // duplicate or a state that forbids the change (409)
	ESTALE        = "stale"        // If-Match names an old version (412)
	ETOOLARGE     = "too_large"    // body or file over the limit (413)
	ETHROTTLED    = "throttled"    // too many attempts (429)
	EUNAVAILABLE  = "unavailable"  // the database does not answer (503)
	EINTERNAL     = "internal"     // a bug (500)
)

// FieldError says what is wrong with one input field.
type FieldError struct {
	Field   string // JSON name of the field, e.g. "title"
	Message string
	Value   any
	In      string // where the field is when not where the caller looks: "header", "query"
}

// Error is the error every layer returns when it knows what a failure means.
// Message is safe to show to a user.
type Error struct {
	Code       string
	Message    string
	Fields     []FieldError  // EINVALID only
	RetryAfter time.Duration // ETHROTTLED only
}

func (e *Error) Error() string {
	return fmt.Sprintf("ajudae error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain; EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of err, or a generic one.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "Erro interno."
}

// Problems collects field errors; its Err returns nil when none were added.
type Problems []FieldError

// Add records that field has the given problem.
func (p *Problems) Add(field, message string, value any) {
	*p = append(*p, FieldError{Field: field, Message: message, Value: value})
}

// Err returns an EINVALID *Error listing every problem, or nil.
func (p Problems) Err() error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "Validation failed.", Fields: p}
}
