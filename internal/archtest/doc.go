// Package archtest holds no code, only tests that keep the house rules of
// DESIGN.md true: which package may import which, which third-party module
// lives where, what the shipped binary links, and that every package says
// what it is for in a doc.go.
package archtest
