package lineartest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
)

// object is anything the executor can select fields from. field returns a scalar, an object,
// a []object or nil; an unknown field is an error so a test never passes on a field the fake
// silently ignored.
type object interface {
	typeName() string
	field(name string, args map[string]any) (any, error)
}

// execute runs a validated operation against the state (s.mu held).
func (s *Server) execute(op *ast.OperationDefinition, vars map[string]any, fault *Fault) (map[string]any, error) {
	x := &executor{s: s, vars: vars, fault: fault}
	var root object = queryRoot{x}
	if op.Operation == ast.Mutation {
		root = mutationRoot{x}
	}
	return x.selectObject(root, op.SelectionSet)
}

type executor struct {
	s     *Server
	vars  map[string]any
	fault *Fault
}

func (x *executor) selectObject(obj object, set ast.SelectionSet) (map[string]any, error) {
	out := map[string]any{}
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Name == "__typename" {
				out[sel.Alias] = obj.typeName()
				continue
			}
			v, err := obj.field(sel.Name, sel.ArgumentMap(x.vars))
			if err != nil {
				return nil, err
			}
			done, err := x.complete(v, sel.SelectionSet)
			if err != nil {
				return nil, err
			}
			out[sel.Alias] = done
		case *ast.FragmentSpread:
			if err := x.merge(out, obj, sel.Definition.SelectionSet); err != nil {
				return nil, err
			}
		case *ast.InlineFragment:
			if err := x.merge(out, obj, sel.SelectionSet); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (x *executor) merge(into map[string]any, obj object, set ast.SelectionSet) error {
	part, err := x.selectObject(obj, set)
	for k, v := range part {
		into[k] = v
	}
	return err
}

func (x *executor) complete(v any, set ast.SelectionSet) (any, error) {
	switch v := v.(type) {
	case object:
		return x.selectObject(v, set)
	case []object:
		list := make([]any, 0, len(v))
		for _, o := range v {
			done, err := x.selectObject(o, set)
			if err != nil {
				return nil, err
			}
			list = append(list, done)
		}
		return list, nil
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano), nil
	default:
		return v, nil
	}
}

// linearError is an error worded the way Linear words it (capitalised, with punctuation).
type linearError string

func (e linearError) Error() string { return string(e) }

const (
	errIssueNotFound   linearError = "Entity not found: Issue - Could not find referenced Issue."
	errCommentNotFound linearError = "Entity not found: Comment - Could not find referenced Comment."
)

func unknownField(typ, name string) error {
	return fmt.Errorf("lineartest does not implement %s.%s", typ, name)
}

// connection is a page of nodes with Linear's pageInfo.
type connection struct {
	nodes     []object
	hasNext   bool
	endCursor any
}

func (c connection) typeName() string { return "Connection" }

func (c connection) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "nodes":
		return c.nodes, nil
	case "pageInfo":
		return pageInfo(c), nil
	}
	return nil, unknownField("Connection", name)
}

type pageInfo connection

func (p pageInfo) typeName() string { return "PageInfo" }

func (p pageInfo) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "hasNextPage":
		return p.hasNext, nil
	case "endCursor":
		return p.endCursor, nil
	case "hasPreviousPage":
		return false, nil
	case "startCursor":
		return nil, nil
	}
	return nil, unknownField("PageInfo", name)
}

// paginate applies first/after to items; cursors are the index of the last node returned.
func (x *executor) paginate(items []object, args map[string]any) (connection, error) {
	start := 0
	if after, ok := args["after"].(string); ok && after != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(after, "cursor-"))
		if err != nil || !strings.HasPrefix(after, "cursor-") || n < 0 || n >= len(items) {
			return connection{}, linearError(fmt.Sprintf("Argument Validation Error: invalid cursor %q", after))
		}
		start = n + 1
	}
	first := 50
	if f, ok := intArg(args["first"]); ok {
		first = f
	}
	if first < 0 || first > 250 {
		return connection{}, linearError(fmt.Sprintf("Argument Validation Error: first must be between 0 and 250, got %d", first))
	}
	end := min(start+first, len(items))
	c := connection{nodes: items[start:end], hasNext: end < len(items)}
	if end > start {
		c.endCursor = "cursor-" + strconv.Itoa(end-1)
	}
	if c.hasNext && x.fault != nil && x.fault.MissingEndCursor {
		c.endCursor = nil
	}
	return c, nil
}

type queryRoot struct{ x *executor }

func (q queryRoot) typeName() string { return "Query" }

func (q queryRoot) field(name string, args map[string]any) (any, error) {
	s := q.x.s
	switch name {
	case "viewer":
		return user{id: s.opts.ViewerID, name: "Symphony Bot"}, nil
	case "issue":
		is := s.issue(fmt.Sprint(args["id"]))
		if is == nil {
			return nil, errIssueNotFound
		}
		return issueObj{q.x, is}, nil
	case "issues":
		var matched []object
		for _, is := range s.issues {
			ok, err := s.matchIssue(is, asMap(args["filter"]))
			if err != nil {
				return nil, err
			}
			if ok {
				matched = append(matched, issueObj{q.x, is})
			}
		}
		return q.x.paginate(matched, args)
	}
	return nil, unknownField("Query", name)
}

type mutationRoot struct{ x *executor }

func (m mutationRoot) typeName() string { return "Mutation" }

func (m mutationRoot) field(name string, args map[string]any) (any, error) {
	s := m.x.s
	input := asMap(args["input"])
	executed := Mutation{Field: name, Input: input}
	if id, ok := args["id"].(string); ok {
		executed.ID = id
	}
	s.mutations = append(s.mutations, executed)
	switch name {
	case "issueUpdate":
		is := s.issue(fmt.Sprint(args["id"]))
		if is == nil {
			return nil, errIssueNotFound
		}
		if stateID, ok := input["stateId"].(string); ok {
			state := s.stateByID(s.team(is.TeamKey), stateID)
			if state == nil {
				return nil, linearError(fmt.Sprintf("Entity not found: WorkflowState - state %s is not in team %s", stateID, is.TeamKey))
			}
			is.StateName = state.Name
			s.clock = s.clock.Add(time.Minute)
			is.UpdatedAt = s.clock
		}
		return payload{x: m.x, issue: is}, nil
	case "commentCreate":
		issueID, _ := input["issueId"].(string)
		is := s.issue(issueID)
		if is == nil {
			return nil, errIssueNotFound
		}
		body, _ := input["body"].(string)
		return payload{x: m.x, comment: s.addComment(is.ID, s.opts.ViewerID, "Symphony Bot", body)}, nil
	case "commentUpdate":
		id := fmt.Sprint(args["id"])
		for _, c := range s.comments {
			if c.ID == id {
				if body, ok := input["body"].(string); ok {
					c.Body = body
				}
				s.clock = s.clock.Add(time.Minute)
				c.UpdatedAt = s.clock
				return payload{x: m.x, comment: c}, nil
			}
		}
		return nil, errCommentNotFound
	case "commentDelete":
		id := fmt.Sprint(args["id"])
		for i, c := range s.comments {
			if c.ID == id {
				s.comments = slices.Delete(s.comments, i, i+1)
				return payload{x: m.x}, nil
			}
		}
		return nil, errCommentNotFound
	case "attachmentLinkURL":
		is := s.issue(fmt.Sprint(args["issueId"]))
		if is == nil {
			return nil, errIssueNotFound
		}
		a := &Attachment{ID: s.newID("attachment"), IssueID: is.ID, URL: fmt.Sprint(args["url"])}
		if title, ok := args["title"].(string); ok {
			a.Title = title
		}
		s.links = append(s.links, a)
		return payload{x: m.x, attachment: a}, nil
	case "fileUpload":
		return s.reserveUpload(args)
	case "attachmentCreate":
		is := s.issue(fmt.Sprint(input["issueId"]))
		if is == nil {
			return nil, errIssueNotFound
		}
		a := &Attachment{ID: s.newID("attachment"), IssueID: is.ID, URL: fmt.Sprint(input["url"]), Title: fmt.Sprint(input["title"])}
		s.links = append(s.links, a)
		return payload{x: m.x, attachment: a}, nil
	}
	return nil, unknownField("Mutation", name)
}

func (s *Server) stateByID(team *Team, id string) *State {
	if team == nil {
		return nil
	}
	for i := range team.States {
		if team.States[i].ID == id {
			return &team.States[i]
		}
	}
	return nil
}

type payload struct {
	x          *executor
	issue      *Issue
	comment    *Comment
	attachment *Attachment
}

func (p payload) typeName() string { return "Payload" }

func (p payload) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "success":
		return true, nil
	case "lastSyncId":
		return float64(1), nil
	case "issue":
		return issueObj{p.x, p.issue}, nil
	case "comment":
		return commentObj{p.comment}, nil
	case "attachment":
		return attachment{id: p.attachment.ID, url: p.attachment.URL, title: p.attachment.Title}, nil
	}
	return nil, unknownField("Payload", name)
}

// intArg reads an Int argument, which arrives as int64 from a literal and as a JSON number
// from a variable.
func intArg(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), n == float64(int(n))
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	}
	return 0, false
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
