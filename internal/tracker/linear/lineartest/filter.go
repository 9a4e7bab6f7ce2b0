package lineartest

import (
	"fmt"
	"slices"
	"strings"
)

// matchIssue evaluates the part of Linear's IssueFilter the client uses. A key or comparator
// it does not know is an error, never silently true.
func (s *Server) matchIssue(is *Issue, f map[string]any) (bool, error) {
	for key, v := range f {
		var (
			ok  bool
			err error
		)
		switch key {
		case "and", "or":
			ok, err = s.combine(is, key, v)
		case "id":
			ok, err = compare(is.ID, asMap(v))
		case "state":
			ok, err = matchNamed("", is.StateName, asMap(v))
		case "team":
			t := s.team(is.TeamKey)
			ok, err = matchFields(asMap(v), map[string]string{"id": t.ID, "key": t.Key, "name": t.Name})
		case "project":
			ok, err = s.matchProject(is, asMap(v))
		case "labels":
			ok, err = matchLabels(is.Labels, asMap(v))
		case "assignee":
			if is.AssigneeID == "" {
				return false, nil
			}
			ok, err = matchFields(asMap(v), map[string]string{"id": is.AssigneeID})
		default:
			return false, fmt.Errorf("lineartest does not implement IssueFilter.%s", key)
		}
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (s *Server) combine(is *Issue, op string, v any) (bool, error) {
	list, _ := v.([]any)
	for _, item := range list {
		ok, err := s.matchIssue(is, asMap(item))
		if err != nil {
			return false, err
		}
		if op == "or" && ok {
			return true, nil
		}
		if op == "and" && !ok {
			return false, nil
		}
	}
	return op == "and", nil
}

func (s *Server) matchProject(is *Issue, f map[string]any) (bool, error) {
	p := s.project(is.ProjectID)
	if p == nil {
		return false, nil
	}
	if alts, ok := f["or"].([]any); ok {
		for _, alt := range alts {
			ok, err := matchFields(asMap(alt), map[string]string{"id": p.ID, "name": p.Name, "slugId": p.SlugID})
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	return matchFields(f, map[string]string{"id": p.ID, "name": p.Name, "slugId": p.SlugID})
}

func matchLabels(labels []string, f map[string]any) (bool, error) {
	for key, v := range f {
		if key != "some" {
			return false, fmt.Errorf("lineartest does not implement IssueLabelCollectionFilter.%s", key)
		}
		found := false
		for _, l := range labels {
			ok, err := matchNamed("", l, asMap(v))
			if err != nil {
				return false, err
			}
			found = found || ok
		}
		if !found {
			return false, nil
		}
	}
	return true, nil
}

func matchNamed(id, name string, f map[string]any) (bool, error) {
	return matchFields(f, map[string]string{"id": id, "name": name})
}

// matchFields applies comparator filters keyed by field name to the given field values.
func matchFields(f map[string]any, fields map[string]string) (bool, error) {
	for key, v := range f {
		value, known := fields[key]
		if !known {
			return false, fmt.Errorf("lineartest does not implement filter field %s", key)
		}
		ok, err := compare(value, asMap(v))
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func compare(value string, cmp map[string]any) (bool, error) {
	for op, operand := range cmp {
		var ok bool
		switch op {
		case "eq":
			ok = value == fmt.Sprint(operand)
		case "neq":
			ok = value != fmt.Sprint(operand)
		case "eqIgnoreCase":
			ok = strings.EqualFold(value, fmt.Sprint(operand))
		case "in", "nin":
			list, _ := operand.([]any)
			ok = slices.ContainsFunc(list, func(v any) bool { return fmt.Sprint(v) == value })
			if op == "nin" {
				ok = !ok
			}
		default:
			return false, fmt.Errorf("lineartest does not implement comparator %s", op)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}
