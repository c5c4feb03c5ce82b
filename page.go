package ajudae

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Page limits of every list.
const (
	DefaultPageLimit = 20
	MaxPageLimit     = 100
)

// Page asks for one page of a list: at most Limit items after the position
// that Cursor encodes (the start when Cursor is empty).
type Page struct {
	Limit  int
	Cursor string
}

// Cursor is the decoded keyset position of a page: the sort the list was
// walked in, the sort key of the last item and its id.
type Cursor struct {
	Sort string `json:"s,omitempty"`
	Key  string `json:"k,omitempty"`
	ID   int64  `json:"i"`
}

// Encode returns the opaque text form of c.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses the opaque text of a cursor for a list walked in sort.
// It returns EINVALID when s does not decode or belongs to another sort.
func DecodeCursor(s, sort string) (Cursor, error) {
	var c Cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.ID <= 0 || c.Sort != sort {
		var p Problems
		p.Add("cursor", "is not a cursor of this list (take nextCursor from the previous page)", s)
		return Cursor{}, p.Err()
	}
	return c, nil
}

// Validate checks the limit and the cursor's form, filling the default limit.
func (p *Page) Validate() error {
	if p.Limit == 0 {
		p.Limit = DefaultPageLimit
	}
	if p.Limit < 1 || p.Limit > MaxPageLimit {
		var pr Problems
		pr.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxPageLimit), p.Limit)
		return pr.Err()
	}
	return nil
}

// List is one page of items and the cursor of the next page (nil on the last).
type List[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"nextCursor"`
}
