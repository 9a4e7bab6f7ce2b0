// Package prompt builds everything an agent reads: it renders the repository's WORKFLOW.md
// templates strictly with Liquid and the built-in partials, prepends Symphony's managed runtime
// rules, wraps every string from the tracker, GitHub or CI in a named boundary tag after
// redacting secrets and neutralising injection markers, appends project guides and the context
// that dispatched the run, and produces the compact bootstrap and continuation-turn guidance.
//
// Much of that text comes from people Symphony does not trust. The package therefore never
// hands raw tracker text to a template: templates only see sanitised, bounded, tagged values.
package prompt
