package ajudae

import (
	"mime"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DefaultMaxUpload is the largest attachment unless configured otherwise.
const DefaultMaxUpload = 10 << 20

// MaxFilenameLen bounds an attachment's file name, in characters.
const MaxFilenameLen = 255

// Attachment is a file attached to a ticket. Its bytes are served only to
// those who see the ticket.
type Attachment struct {
	ID          int64     `json:"id"`
	Filename    string    `json:"filename"`
	Size        int64     `json:"size"`
	ContentType string    `json:"contentType"`
	CreatedAt   time.Time `json:"createdAt"`
	TicketID    int64     `json:"-"`
	UploaderID  int64     `json:"-"`
}

// NewAttachment is the input of uploading a file.
type NewAttachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Normalize keeps the base name of the file (a browser may send a path)
// and a well-formed media type (application/octet-stream otherwise), then
// returns EINVALID when the name is empty, too long or holds control
// characters.
func (n *NewAttachment) Normalize() error {
	name := strings.ReplaceAll(n.Filename, `\`, "/")
	name = path.Base(name)
	if name == "." || name == "/" {
		name = ""
	}
	n.Filename = name
	if mt, params, err := mime.ParseMediaType(n.ContentType); err == nil {
		n.ContentType = mime.FormatMediaType(mt, params)
	} else {
		n.ContentType = ""
	}
	if n.ContentType == "" {
		n.ContentType = "application/octet-stream"
	}
	var p Problems
	switch {
	case name == "":
		p.Add("file", "must have a file name", n.Filename)
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		p.Add("file", "file name must be UTF-8 without control characters", name)
	case utf8.RuneCountInString(name) > MaxFilenameLen:
		p.Add("file", "file name must be at most 255 characters long", name)
	}
	return p.Err()
}
