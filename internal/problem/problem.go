// Package problem maps the domain's error codes to HTTP: the one
// code→status table of the program, and RFC 9457 problem details.
package problem

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/ajudae/ajudae"
)

// statusOf is the only code→status table in the program.
var statusOf = map[string]int{
	ajudae.EMALFORMED:    http.StatusBadRequest,
	ajudae.EUNAUTHORIZED: http.StatusUnauthorized,
	ajudae.EFORBIDDEN:    http.StatusForbidden,
	ajudae.ENOTFOUND:     http.StatusNotFound,
	ajudae.ECONFLICT:     http.StatusConflict,
	ajudae.ESTALE:        http.StatusPreconditionFailed,
	ajudae.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	ajudae.EINVALID:      http.StatusUnprocessableEntity,
	ajudae.ETHROTTLED:    http.StatusTooManyRequests,
	ajudae.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// Status returns the HTTP status of err; 500 for an error the domain does
// not know.
func Status(err error) int {
	if s, ok := statusOf[ajudae.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Detail is one bad field of a 422.
type Detail struct {
	Message  string `json:"message"`
	Location string `json:"location"`
	Value    any    `json:"value,omitempty"`
}

// Details is an RFC 9457 problem. It satisfies huma's StatusError,
// HeadersError and ContentTypeFilter, so API handlers return it as is.
type Details struct {
	Type   string   `json:"type"`
	Title  string   `json:"title"`
	Status int      `json:"status"`
	Detail string   `json:"detail"`
	Errors []Detail `json:"errors,omitempty"`

	headers http.Header
}

func (d *Details) Error() string             { return d.Detail }
func (d *Details) GetStatus() int            { return d.Status }
func (d *Details) GetHeaders() http.Header   { return d.headers }
func (d *Details) ContentType(string) string { return "application/problem+json" }

// From turns err into problem details. Field errors are located in loc
// ("body", "query", …) unless they name their own place. A 5xx other than
// 503 is logged here, once, with the request's context, and shown to the
// caller without its internals.
func From(ctx context.Context, log *slog.Logger, loc string, err error) *Details {
	status := Status(err)
	d := &Details{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: ajudae.ErrorMessage(err)}
	if status >= 500 {
		attrs := []any{"err", err, "status", status, "request_id", ajudae.RequestIDFrom(ctx)}
		if status == http.StatusServiceUnavailable {
			log.WarnContext(ctx, "database unavailable", attrs...)
			d.headers = http.Header{"Retry-After": {"5"}}
		} else {
			log.ErrorContext(ctx, "request failed", attrs...)
			d.Detail = "Internal error. It was logged; please try again."
		}
	}
	if e, ok := errors.AsType[*ajudae.Error](err); ok {
		for _, f := range e.Fields {
			l := loc + "." + f.Field
			if f.In != "" {
				l = f.In + "." + f.Field
			}
			d.Errors = append(d.Errors, Detail{Message: f.Message, Location: l, Value: f.Value})
		}
		if e.RetryAfter > 0 {
			d.headers = http.Header{"Retry-After": {strconv.Itoa(int(e.RetryAfter.Seconds()))}}
		}
	}
	return d
}

// Write sends d as application/problem+json.
func Write(w http.ResponseWriter, d *Details) {
	for k, v := range d.headers {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(d.Status)
	json.NewEncoder(w).Encode(d)
}

// New returns problem details for a status with a message, for the few
// failures that happen before any domain code runs (no route, body too large).
func New(status int, detail string) *Details {
	return &Details{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail}
}
