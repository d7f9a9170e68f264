print("shopstream")
