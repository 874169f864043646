# Only comments: an empty body.
// nothing else
/* at all */
