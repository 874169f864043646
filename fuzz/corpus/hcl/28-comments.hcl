# A hash comment
// A double-slash comment
/* An inline comment */
a = 1 # trailing hash
b = 2 // trailing slashes
c = /* before value */ 3
d = 4 /* after value */
/*
 * A multi-line
 * block comment with = signs and { braces }
 */
e = "# not a comment"
f = "// not a comment either"
g = "/* nor this */"
block {
  # inside a block
  h = 5 // trailing
}
#no space after hash
//no space after slashes
i = 6
