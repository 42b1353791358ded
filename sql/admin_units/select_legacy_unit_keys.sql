-- Every legacy commune (and commune-less district) by the package's keys, with its GSO codes.
SELECT provinceKey, districtKey, wardKey, wardCode, districtCode FROM admin_units_legacy;
