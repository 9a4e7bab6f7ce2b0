// Package gitremote is Symphony's side of a workspace's GitHub remote: it captures the origin
// repository and branch when a session starts, re-checks them before every push or fetch, and
// runs that push or fetch itself with the operator's token handed only to the git child
// through a credential helper reading its environment. The agent never sees the token, and a
// workspace whose remote or git configuration was rewritten mid-session is refused.
package gitremote
