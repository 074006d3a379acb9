contenttypes-published = Published on
contenttypes-when = When
contenttypes-download = Download
contenttypes-link-goes-to = This link leads to
