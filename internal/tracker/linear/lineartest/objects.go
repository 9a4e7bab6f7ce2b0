package lineartest

import (
	"slices"
	"strings"
)

type issueObj struct {
	x  *executor
	is *Issue
}

func (o issueObj) typeName() string { return "Issue" }

func (o issueObj) field(name string, args map[string]any) (any, error) {
	s, is := o.x.s, o.is
	switch name {
	case "id":
		return is.ID, nil
	case "identifier":
		return is.Identifier, nil
	case "title":
		return is.Title, nil
	case "description":
		if is.Description == "" {
			return nil, nil
		}
		return is.Description, nil
	case "priority":
		return is.Priority, nil
	case "branchName":
		if is.BranchName == "" {
			return strings.ToLower(is.Identifier), nil
		}
		return is.BranchName, nil
	case "url":
		if is.URL == "" {
			return "https://linear.app/fake/issue/" + is.Identifier, nil
		}
		return is.URL, nil
	case "createdAt":
		return is.CreatedAt, nil
	case "updatedAt":
		return is.UpdatedAt, nil
	case "state":
		for _, st := range s.team(is.TeamKey).States {
			if st.Name == is.StateName {
				return named{"WorkflowState", st.ID, st.Name}, nil
			}
		}
		return named{"WorkflowState", "state-" + is.StateName, is.StateName}, nil
	case "team":
		return teamObj{o.x, s.team(is.TeamKey)}, nil
	case "project":
		if p := s.project(is.ProjectID); p != nil {
			return projectObj{p}, nil
		}
		return nil, nil
	case "assignee":
		if is.AssigneeID == "" {
			return nil, nil
		}
		return user{id: is.AssigneeID, name: is.AssigneeID}, nil
	case "labels":
		var nodes []object
		for _, l := range is.Labels {
			nodes = append(nodes, named{"IssueLabel", "label-" + l, l})
		}
		return o.x.paginate(nodes, args)
	case "attachments":
		var nodes []object
		for _, u := range is.Attachments {
			nodes = append(nodes, attachment{url: u})
		}
		for _, a := range s.links {
			if a.IssueID == is.ID {
				nodes = append(nodes, attachment{id: a.ID, url: a.URL, title: a.Title})
			}
		}
		return o.x.paginate(nodes, args)
	case "children":
		var nodes []object
		for _, c := range s.issues {
			if c.ParentID == is.ID {
				nodes = append(nodes, issueObj{o.x, c})
			}
		}
		return o.x.paginate(nodes, args)
	case "parent":
		if p := s.issue(is.ParentID); is.ParentID != "" && p != nil {
			return issueObj{o.x, p}, nil
		}
		return nil, nil
	case "relations":
		var nodes []object
		for _, other := range s.issues {
			if slices.Contains(other.BlockedBy, is.ID) {
				nodes = append(nodes, relation{x: o.x, kind: "blocks", from: is, to: other})
			}
			if slices.Contains(other.Related, is.ID) {
				nodes = append(nodes, relation{x: o.x, kind: "related", from: is, to: other})
			}
		}
		for _, id := range is.DuplicateOf {
			if d := s.issue(id); d != nil {
				nodes = append(nodes, relation{x: o.x, kind: "duplicate", from: is, to: d})
			}
		}
		return o.x.paginate(nodes, args)
	case "inverseRelations":
		var nodes []object
		for _, id := range is.BlockedBy {
			if b := s.issue(id); b != nil {
				nodes = append(nodes, relation{x: o.x, kind: "blocks", from: b, to: is})
			}
		}
		for _, id := range is.Related {
			if r := s.issue(id); r != nil {
				nodes = append(nodes, relation{x: o.x, kind: "related", from: r, to: is})
			}
		}
		for _, other := range s.issues {
			if slices.Contains(other.DuplicateOf, is.ID) {
				nodes = append(nodes, relation{x: o.x, kind: "duplicate", from: other, to: is})
			}
		}
		return o.x.paginate(nodes, args)
	case "comments":
		var nodes []object
		for _, c := range s.comments {
			if c.IssueID == is.ID {
				nodes = append(nodes, commentObj{c})
			}
		}
		return o.x.paginate(nodes, args)
	}
	return nil, unknownField("Issue", name)
}

// named is any object with only id and name (workflow states, labels).
type named struct{ typ, id, name string }

func (n named) typeName() string { return n.typ }

func (n named) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "id":
		return n.id, nil
	case "name":
		return n.name, nil
	}
	return nil, unknownField(n.typ, name)
}

type user struct{ id, name string }

func (u user) typeName() string { return "User" }

func (u user) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "id":
		return u.id, nil
	case "name", "displayName":
		return u.name, nil
	}
	return nil, unknownField("User", name)
}

type teamObj struct {
	x    *executor
	team *Team
}

func (t teamObj) typeName() string { return "Team" }

func (t teamObj) field(name string, args map[string]any) (any, error) {
	switch name {
	case "id":
		return t.team.ID, nil
	case "key":
		return t.team.Key, nil
	case "name":
		return t.team.Name, nil
	case "states":
		var nodes []object
		filter := asMap(args["filter"])
		for _, st := range t.team.States {
			ok, err := matchNamed(st.ID, st.Name, filter)
			if err != nil {
				return nil, err
			}
			if ok {
				nodes = append(nodes, named{"WorkflowState", st.ID, st.Name})
			}
		}
		return t.x.paginate(nodes, args)
	}
	return nil, unknownField("Team", name)
}

type projectObj struct{ p *Project }

func (p projectObj) typeName() string { return "Project" }

func (p projectObj) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "id":
		return p.p.ID, nil
	case "name":
		return p.p.Name, nil
	case "slugId":
		return p.p.SlugID, nil
	}
	return nil, unknownField("Project", name)
}

// attachment is an issue attachment; those seeded through Issue.Attachments have only a URL.
type attachment struct{ id, url, title string }

func (a attachment) typeName() string { return "Attachment" }

func (a attachment) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "id":
		if a.id == "" {
			return "attachment-" + a.url, nil
		}
		return a.id, nil
	case "url":
		return a.url, nil
	case "title":
		if a.title == "" {
			return a.url, nil
		}
		return a.title, nil
	}
	return nil, unknownField("Attachment", name)
}

// relation is an IssueRelation: from (issue) relates to `to` (relatedIssue) with kind.
type relation struct {
	x        *executor
	kind     string
	from, to *Issue
}

func (r relation) typeName() string { return "IssueRelation" }

func (r relation) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "type":
		return r.kind, nil
	case "issue":
		return issueObj{r.x, r.from}, nil
	case "relatedIssue":
		return issueObj{r.x, r.to}, nil
	}
	return nil, unknownField("IssueRelation", name)
}

type commentObj struct{ c *Comment }

func (c commentObj) typeName() string { return "Comment" }

func (c commentObj) field(name string, _ map[string]any) (any, error) {
	switch name {
	case "id":
		return c.c.ID, nil
	case "body":
		return c.c.Body, nil
	case "createdAt":
		return c.c.CreatedAt, nil
	case "updatedAt":
		return c.c.UpdatedAt, nil
	case "user":
		return user{id: c.c.AuthorID, name: c.c.Author}, nil
	}
	return nil, unknownField("Comment", name)
}
