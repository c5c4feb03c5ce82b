package server

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"

	"github.com/ajudae/ajudae/internal/api"
	"github.com/ajudae/ajudae/internal/problem"
)

// readBody reads a request's body before any handler does, so that what
// goes wrong while reading it is answered as the client's fault: over
// api.MaxBodyBytes is a 413; a body that breaks off or is malformed on the
// wire (bad chunked encoding) a 400; one that does not arrive within the
// request's read deadline a 408. The handler then reads from memory.
// Multipart bodies (file uploads, with their own limit) stream through.
func readBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || isMultipart(r) {
			next.ServeHTTP(w, r)
			return
		}
		b, err := io.ReadAll(io.LimitReader(r.Body, api.MaxBodyBytes+1))
		if err != nil {
			if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
				problem.Write(w, problem.New(http.StatusRequestTimeout, "The request body did not arrive in time."))
				return
			}
			problem.Write(w, problem.New(http.StatusBadRequest, "The request body could not be read: it broke off or is malformed."))
			return
		}
		if len(b) > api.MaxBodyBytes {
			problem.Write(w, problem.New(http.StatusRequestEntityTooLarge, "The request body is over 1 MiB."))
			return
		}
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(b))
		next.ServeHTTP(w, r)
	})
}

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}
