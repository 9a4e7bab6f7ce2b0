package linear

// Every GraphQL document the client sends is a constant in this file, so one test can check
// them all against Linear's published schema.

// issueFields is the selection every issue-returning query shares.
const issueFields = `
fragment SymphonyIssueFields on Issue {
  id
  identifier
  title
  description
  priority
  branchName
  url
  createdAt
  updatedAt
  state { name }
  team { id key name }
  project { id name slugId }
  assignee { id }
  labels(first: 50) { nodes { name } }
  attachments(first: 20) { nodes { url } }
  inverseRelations(first: 50) {
    nodes {
      type
      issue { id identifier state { name } }
    }
  }
}
`

const candidatesQuery = `
query SymphonyCandidateIssues($filter: IssueFilter!, $first: Int!, $after: String) {
  issues(filter: $filter, first: $first, after: $after) {
    nodes { ...SymphonyIssueFields }
    pageInfo { hasNextPage endCursor }
  }
}
` + issueFields

const issuesByIDsQuery = `
query SymphonyIssuesByIDs($ids: [ID!]!, $first: Int!) {
  issues(filter: { id: { in: $ids } }, first: $first) {
    nodes { ...SymphonyIssueFields }
  }
}
` + issueFields

const issueByIdentifierQuery = `
query SymphonyIssueByIdentifier($id: String!) {
  issue(id: $id) { ...SymphonyIssueFields }
}
` + issueFields

const viewerQuery = `
query SymphonyViewer {
  viewer { id }
}
`

const commentFields = `
fragment SymphonyCommentFields on Comment {
  id
  body
  createdAt
  updatedAt
  user { id name }
}
`

const issueCommentsQuery = `
query SymphonyIssueComments($id: String!, $first: Int!, $after: String) {
  issue(id: $id) {
    comments(first: $first, after: $after) {
      nodes { ...SymphonyCommentFields }
      pageInfo { hasNextPage endCursor }
    }
  }
}
` + commentFields

const teamStateQuery = `
query SymphonyTeamState($id: String!, $name: String!) {
  issue(id: $id) {
    team {
      states(filter: { name: { eqIgnoreCase: $name } }, first: 1) {
        nodes { id name }
      }
    }
  }
}
`

const updateIssueStateMutation = `
mutation SymphonyUpdateIssueState($id: String!, $stateId: String!) {
  issueUpdate(id: $id, input: { stateId: $stateId }) {
    success
  }
}
`

const createCommentMutation = `
mutation SymphonyCreateComment($issueId: String!, $body: String!) {
  commentCreate(input: { issueId: $issueId, body: $body }) {
    success
    comment { ...SymphonyCommentFields }
  }
}
` + commentFields

const updateCommentMutation = `
mutation SymphonyUpdateComment($id: String!, $body: String!) {
  commentUpdate(id: $id, input: { body: $body }) {
    success
    comment { ...SymphonyCommentFields }
  }
}
` + commentFields

// issueRefFields is the summary of another issue the agent tools show.
const issueRefFields = `
fragment SymphonyIssueRefFields on Issue {
  id
  identifier
  title
  url
  state { name }
}
`

const subIssuesQuery = `
query SymphonySubIssues($id: String!, $first: Int!) {
  issue(id: $id) {
    children(first: $first) {
      nodes { ...SymphonyIssueRefFields }
    }
  }
}
` + issueRefFields

const parentIssueQuery = `
query SymphonyParentIssue($id: String!) {
  issue(id: $id) {
    id
    parent { ...SymphonyIssueRefFields }
  }
}
` + issueRefFields

const issueRelationsQuery = `
query SymphonyIssueRelations($id: String!, $first: Int!) {
  issue(id: $id) {
    relations(first: $first) {
      nodes {
        type
        relatedIssue { ...SymphonyIssueRefFields }
      }
    }
    inverseRelations(first: $first) {
      nodes {
        type
        issue { ...SymphonyIssueRefFields }
      }
    }
  }
}
` + issueRefFields

const teamStatesQuery = `
query SymphonyTeamStates($id: String!) {
  issue(id: $id) {
    team {
      states(first: 100) {
        nodes { id name }
      }
    }
  }
}
`

const deleteCommentMutation = `
mutation SymphonyDeleteComment($id: String!) {
  commentDelete(id: $id) {
    success
  }
}
`

const attachURLMutation = `
mutation SymphonyAttachURL($issueId: String!, $url: String!, $title: String) {
  attachmentLinkURL(issueId: $issueId, url: $url, title: $title) {
    success
    attachment { id url title }
  }
}
`

const fileUploadMutation = `
mutation SymphonyFileUpload($filename: String!, $contentType: String!, $size: Int!, $makePublic: Boolean) {
  fileUpload(filename: $filename, contentType: $contentType, size: $size, makePublic: $makePublic) {
    success
    uploadFile {
      uploadUrl
      assetUrl
      headers { key value }
    }
  }
}
`

const attachmentCreateMutation = `
mutation SymphonyAttachmentCreate($issueId: String!, $url: String!, $title: String!) {
  attachmentCreate(input: {issueId: $issueId, url: $url, title: $title}) {
    success
    attachment { id url title }
  }
}
`

// documents lists every document the client can send, by operation name.
var documents = map[string]string{
	"SymphonyCandidateIssues":   candidatesQuery,
	"SymphonyIssuesByIDs":       issuesByIDsQuery,
	"SymphonyIssueByIdentifier": issueByIdentifierQuery,
	"SymphonyViewer":            viewerQuery,
	"SymphonyIssueComments":     issueCommentsQuery,
	"SymphonyTeamState":         teamStateQuery,
	"SymphonyUpdateIssueState":  updateIssueStateMutation,
	"SymphonyCreateComment":     createCommentMutation,
	"SymphonyUpdateComment":     updateCommentMutation,
	"SymphonySubIssues":         subIssuesQuery,
	"SymphonyParentIssue":       parentIssueQuery,
	"SymphonyIssueRelations":    issueRelationsQuery,
	"SymphonyTeamStates":        teamStatesQuery,
	"SymphonyDeleteComment":     deleteCommentMutation,
	"SymphonyAttachURL":         attachURLMutation,
	"SymphonyFileUpload":        fileUploadMutation,
	"SymphonyAttachmentCreate":  attachmentCreateMutation,
}
