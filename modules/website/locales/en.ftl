website-published = Published on
website-when = When
website-download = Download
website-link-goes-to = This link leads to
