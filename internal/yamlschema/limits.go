package yamlschema

// Limits every YAML input must meet before it is parsed into a tree or decoded. The YAML
// library's cost is not linear in the size of its input: the numbers below were measured on
// go-yaml v1.19.2 and explain each choice. Real configurations sit far below every limit.
const (
	// MaxBytes caps one YAML text. Even within the other limits the library allocates 100 to
	// 700 bytes per input byte (1 MiB of prose: 100 MB to tokenize and parse; 1 MiB of
	// `[1,1,…]`: 580 MB, 8 s). At 128 KiB the costliest shapes measured (long flat lists,
	// flow mappings, a file of 1 000-key mappings) stay under 100 MB. A large symphony.yml (fifty
	// repositories) or a WORKFLOW.md front matter carrying long prompts is tens of KiB.
	MaxBytes = 128 << 10

	// MaxDepth caps nesting, block and flow together. The parser's cost grows with the square
	// of the depth (10 000 levels: 170 MB and half a second; 30 000 levels: 1.3 GB). Real
	// configurations nest fewer than ten levels; free-form maps passed to agents, a few more.
	MaxDepth = 100

	// MaxMappingKeys caps the keys of one block mapping. The parser reads each key of a block
	// mapping one call deeper than the last and copies the entries collected so far, so a
	// mapping of n keys costs about 4.5·n² bytes (10 000 keys: 450 MB; 100 000 keys, a 1 MiB
	// file: 45 GB). 1 000 keys cost under 5 MB; the largest real mapping (an environment,
	// a label table) has dozens. Flow mappings and sequences are linear and need no cap.
	MaxMappingKeys = 1000

	// MaxAliasNodes caps the nodes that aliases add to a document when expanded. Decoding a
	// free-form value copies the alias target every time it is used, and anchors that alias
	// earlier anchors multiply (nine levels of nine aliases expand to 387 million nodes, the
	// "billion laughs"). Counting the expansion is exact and cheap, unlike refusing aliases of
	// collections outright, which would break the common `<<: *defaults` sharing: a 30-key
	// defaults block merged into a hundred repositories adds 9 100 nodes (each key, value and
	// entry counts). 20 000 such nodes decode in a few megabytes.
	MaxAliasNodes = 20_000
)

// Codes of problems found by the limits, stable words like the loaders' own codes.
const (
	CodeTooLarge  = "yaml_too_large"
	CodeTooDeep   = "yaml_too_deep"
	CodeAliasBomb = "yaml_alias_bomb"
)
