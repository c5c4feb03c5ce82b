package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/danielgtaylor/huma/v2"

	"github.com/ajudae/ajudae"
)

// Attachments are plain handlers, not huma operations: an upload is
// streamed with a hard byte limit (huma would buffer the whole multipart
// form first), and a download is raw bytes. They are still described in
// the OpenAPI document (documentAttachments).
func (s *Server) registerAttachments(mux *http.ServeMux, a huma.API) {
	mux.HandleFunc("POST /ticket/{id}/attachments", s.handleAttachmentUpload)
	mux.HandleFunc("GET /ticket/{id}/attachments", s.handleAttachmentList)
	mux.HandleFunc("GET /attachment/{id}", s.handleAttachmentGet)
	documentAttachments(a, s.maxUpload)
}

// callerAndID authenticates the request (the UI's cookie too when cookie)
// and reads its {id}; on failure it has answered and ok is false.
func (s *Server) callerAndID(w http.ResponseWriter, r *http.Request, cookie bool) (a *ajudae.Actor, id int64, ok bool) {
	a, err := Authenticate(r.Context(), s.store, r, cookie)
	if err != nil {
		s.plainError(w, r, "header", err)
		return nil, 0, false
	}
	if id, err = pathID(r); err != nil {
		s.plainError(w, r, "path", err)
		return nil, 0, false
	}
	return a, id, true
}

func (s *Server) handleAttachmentUpload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, id, ok := s.callerAndID(w, r, false)
	if !ok {
		return
	}
	na, err := s.readUpload(w, r)
	if err != nil {
		s.plainError(w, r, "body", err)
		return
	}
	at, err := s.store.CreateAttachment(ctx, a, id, *na)
	if err != nil {
		s.plainError(w, r, "body", err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/attachment/%d", at.ID))
	writeJSON(w, http.StatusCreated, at)
}

// readUpload reads the part named file of a multipart body. A file over
// maxUpload bytes is ETOOLARGE; the whole body may carry 64 KiB of other
// parts and framing besides.
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request) (*ajudae.NewAttachment, error) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "multipart/form-data" {
		return nil, ajudae.Errorf(ajudae.EMALFORMED, "Send the file as multipart/form-data in a field named file.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxUpload+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, ajudae.Errorf(ajudae.EMALFORMED, "The multipart body cannot be read: %v.", err)
	}
	tooLarge := ajudae.Errorf(ajudae.ETOOLARGE, "The file is larger than the limit of %d bytes.", s.maxUpload)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, tooLarge
		}
		if err != nil {
			return nil, ajudae.Errorf(ajudae.EMALFORMED, "The multipart body cannot be read: %v.", err)
		}
		if part.FormName() != "file" {
			if _, err := io.Copy(io.Discard, part); err != nil {
				if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
					return nil, tooLarge
				}
				return nil, ajudae.Errorf(ajudae.EMALFORMED, "The multipart body cannot be read: %v.", err)
			}
			continue
		}
		data, err := io.ReadAll(io.LimitReader(part, s.maxUpload+1))
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok || int64(len(data)) > s.maxUpload {
			return nil, tooLarge
		}
		if err != nil {
			return nil, ajudae.Errorf(ajudae.EMALFORMED, "The file cannot be read: %v.", err)
		}
		ct := part.Header.Get("Content-Type")
		if ct == "" || ct == "application/octet-stream" {
			ct = http.DetectContentType(data)
		}
		return &ajudae.NewAttachment{Filename: part.FileName(), ContentType: ct, Data: data}, nil
	}
	var p ajudae.Problems
	p.Add("file", "is required: send the file in a multipart field named file", nil)
	return nil, p.Err()
}

func (s *Server) handleAttachmentList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, id, ok := s.callerAndID(w, r, true)
	if !ok {
		return
	}
	page := ajudae.Page{Cursor: r.URL.Query().Get("cursor")}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1 // out of range: Validate names it
		}
		page.Limit = n
	}
	l, err := s.store.FindAttachments(ctx, a, id, page)
	if err != nil {
		s.plainError(w, r, "query", err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (s *Server) handleAttachmentGet(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, id, ok := s.callerAndID(w, r, true)
	if !ok {
		return
	}
	at, data, err := s.store.OpenAttachment(ctx, a, id)
	if err != nil {
		s.plainError(w, r, "path", err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", at.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": at.Filename}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox; frame-ancestors 'none'")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(data)
	}
}

// documentAttachments adds the attachment routes to the OpenAPI document.
func documentAttachments(a huma.API, maxUpload int64) {
	reg := a.OpenAPI().Components.Schemas
	attSchema := reg.Schema(reflectType[ajudae.Attachment](), true, "Attachment")
	listSchema := reg.Schema(reflectType[ajudae.List[ajudae.Attachment]](), true, "AttachmentList")
	problemResp := func(desc string) *huma.Response {
		return &huma.Response{Description: desc, Content: map[string]*huma.MediaType{
			"application/problem+json": {Schema: reg.Schema(reflectType[huma.ErrorModel](), true, "ErrorModel")}}}
	}
	idParam := &huma.Param{Name: "id", In: "path", Required: true, Schema: &huma.Schema{Type: "integer", Format: "int64", Minimum: ptr(1.0)}}
	security := []map[string][]string{{bearerScheme: {}}}
	a.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "uploadAttachment", Method: http.MethodPost, Path: "/ticket/{id}/attachments", Tags: []string{"Ticket"},
		Summary:     "Attach a file to a visible ticket",
		Description: fmt.Sprintf("multipart/form-data with the file in the field `file`. A file over %d bytes (AJUDAE_MAX_UPLOAD) is a 413.", maxUpload),
		Parameters:  []*huma.Param{idParam}, Security: security,
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"multipart/form-data": {Schema: &huma.Schema{
			Type: "object", Required: []string{"file"},
			Properties: map[string]*huma.Schema{"file": {Type: "string", Format: "binary"}}}}}},
		Responses: map[string]*huma.Response{
			"201": {Description: "Created", Content: map[string]*huma.MediaType{"application/json": {Schema: attSchema}}},
			"400": problemResp("Not a multipart body"), "401": problemResp("Unauthorized"), "404": problemResp("No such ticket visible to the caller"),
			"413": problemResp("The file is over the limit"), "422": problemResp("No file field, or a bad file name"),
		},
	})
	a.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "listAttachments", Method: http.MethodGet, Path: "/ticket/{id}/attachments", Tags: []string{"Ticket"},
		Summary: "The files of a visible ticket, oldest first", Parameters: []*huma.Param{idParam,
			{Name: "limit", In: "query", Schema: &huma.Schema{Type: "integer", Minimum: ptr(1.0), Maximum: ptr(100.0)}},
			{Name: "cursor", In: "query", Schema: &huma.Schema{Type: "string"}}},
		Security: security,
		Responses: map[string]*huma.Response{
			"200": {Description: "OK", Content: map[string]*huma.MediaType{"application/json": {Schema: listSchema}}},
			"401": problemResp("Unauthorized"), "404": problemResp("No such ticket visible to the caller"), "422": problemResp("Bad limit or cursor"),
		},
	})
	a.OpenAPI().AddOperation(&huma.Operation{
		OperationID: "getAttachment", Method: http.MethodGet, Path: "/attachment/{id}", Tags: []string{"Ticket"},
		Summary:     "Download a file (whoever sees its ticket)",
		Description: "Served with Content-Disposition: attachment and X-Content-Type-Options: nosniff. The web UI's cookie is accepted too.",
		Parameters:  []*huma.Param{idParam}, Security: security,
		Responses: map[string]*huma.Response{
			"200": {Description: "The file", Content: map[string]*huma.MediaType{"application/octet-stream": {Schema: &huma.Schema{Type: "string", Format: "binary"}}}},
			"401": problemResp("Unauthorized"), "404": problemResp("No such file visible to the caller"),
		},
	})
}

func ptr[T any](v T) *T { return &v }
