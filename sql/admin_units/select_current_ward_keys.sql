-- Every current commune by the package's keys, with its GSO code.
SELECT provinceKey, wardKey, wardCode FROM admin_units;
