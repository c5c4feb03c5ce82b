package api_test

import "strings"

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func upper(s string) string { return strings.ToUpper(s) }
