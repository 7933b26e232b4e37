'use strict';
// bench:agent variant: an empty --require, the floor any agent starts from.
